#!/usr/bin/env python3
"""TinyTL gradient-parity fixtures, made with the reference TinyTL code (mit-han-lab/tinyml, folder `tinytl/`)
on top of the reference OFA package, for an OFA-Proxyless subnet of the supernet fixture in ../supernets.

    /work/venv/bin/python Tests/Fixtures/tinytl/generate.py --tinytl /tmp/tinyml/tinytl            # write + verify
    /work/venv/bin/python Tests/Fixtures/tinytl/generate.py --tinytl /tmp/tinyml/tinytl --verify   # verify only
    (or set $TINYTL_SRC instead of --tinytl)

The reference TinyTL source is imported from the given folder (the `tinytl/` folder of mit-han-lab/tinyml at the
pinned commit; checked by git blob hash) and never copied here. Writes gradients.h5 next to this script; see
README.md for the recipe and the layout. Deterministic (fixed seeds, one CPU thread, byte-identical output).
"""

import argparse
import ctypes
import hashlib
import importlib.metadata
import json
import os
import pathlib
import sys
import types
import warnings

import h5py
import numpy as np
import torch
import torch.nn as nn

TORCH_VERSION = "2.15.0+cu132"
OFA_VERSION = "0.1.0.post202307202001"
TINYTL_REPO = "mit-han-lab/tinyml"
TINYTL_COMMIT = "0e58f314dfe12967d6165f45238b1ea77b0f7a14"
# git blob ids (git hash-object) at TINYTL_COMMIT of the files this generator imports or mirrors
TINYTL_BLOBS = {
    "tinytl/__init__.py": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    "tinytl/model/__init__.py": "bc29f839de9cc31017577e7db5e05589451d28a9",
    "tinytl/model/modules.py": "e29828e7e7edb2525b6f6c11fbda6ffb84d3e576",
    "tinytl/model/network.py": "fc66394869711983733f9299e48f3ab2464953ed",
    "tinytl/utils/__init__.py": "5c0271419e7538495c18baa26b4509d60b181927",
    "tinytl/utils/common_utils.py": "3d55addacadaa6c4549af56b342edb6b25c61d0e",
    "tinytl/utils/memory_cost_profiler.py": "9245eafaf502862bc3a9d247a339a09aa639267f",
    "tinytl_fgvc_train.py": "8fec71c67380aed93681cb7b2cf8c8d8569c6fb5",
}
LIBVER = ("v110", "v110")  # libhdf5 >= 1.10 reads it; v110 objects/groups are smaller than the 'earliest' format
COMPRESS_MIN_BYTES = 256  # tensors of at least this many bytes: one chunk, shuffle + gzip 9
MAX_COMPACT_LINKS = 400  # every group keeps its links in its object header (largest: 356), no fractal heap/B-tree
MAX_COMPACT_ATTRS = 100  # likewise for attributes (HDF5 default: dense storage beyond 8)
FORMAT = "ofa-search/tinytl-gradient-fixture"
FORMAT_VERSION = 1
GENERATOR = "Tests/Fixtures/tinytl/generate.py"
HERE = pathlib.Path(__file__).resolve().parent
SUPERNETS = HERE.parent / "supernets"
OUT = HERE / "gradients.h5"

CHECKPOINT = "ofa_proxyless_w0.2_c10.pth"
CONFIG_PATH = "proxyless/configs/6"  # kind "min": the smallest subnet (ks 3, e 3, d [2,2,2,2,2,1])
RESOLUTION = 64
BATCH = 4
LABELS = [0, 3, 7, 9]
N_CLASSES = 10
LABEL_SMOOTHING = 0.1
LR = 1e-3
ADAM_STEPS = 5
MANUAL_SEED = 0  # tinytl_fgvc_train.py --manual_seed default: torch.manual_seed before the network is built
CLASSIFIER_SEED = 1  # torch.manual_seed right before the new classifier is built and init_models'ed
LR_GAMMA_SEED = 20240610  # torch.Generator seed for the non-zero lite-residual final_bn.weight variant
WS_EPS = 1e-5
GN_CHANNEL_PER_GROUP = 8
# tinytl_fgvc_train.py defaults for the lite residual: downsample 2, 'bilinear', expand 1, ks 5, 'relu', groups 2
LITE_RESIDUAL_ARGS = (2, "bilinear", 1, 5, "relu", 2)
INPUT_FORMULA = ("x[i] = float32(float64(((i + 100003*b) * 7919) % 2001 - 1000) / 1000.0), i = flat NCHW index, "
                 "b = 0 (the formula of Tests/Fixtures/supernets/README.md)")

METHODS = ["full", "last", "bn+last", "tinytl-bias", "tinytl-lite_residual", "tinytl-lite_residual+bias"]
LITE_METHODS = {"tinytl-lite_residual", "tinytl-lite_residual+bias"}
NORMS = ["bn", "gn"]
LR_VARIANTS = ["lr_zero", "lr_random"]  # fresh branch (final_bn.weight = 0, as the reference) / random non-zero γ


# ---------------------------------------------------------------------------------------------------------
# Work-arounds for the reference code with current libraries (nothing in the reference or site-packages is edited)
def install_workarounds():
    # 1. tinytl/utils/__init__.py imports memory_cost_profiler, which does
    #    `from torchvision.models.mobilenet import InvertedResidual`; torchvision >= 0.13 moved the class to
    #    torchvision.models.mobilenetv2 and no longer re-exports it. Alias it (the profiler is not used here).
    import torchvision.models.mobilenet as tv_mobilenet
    if not hasattr(tv_mobilenet, "InvertedResidual"):
        from torchvision.models.mobilenetv2 import InvertedResidual
        tv_mobilenet.InvertedResidual = InvertedResidual
    # 2. tinytl/utils/common_utils.py imports sklearn.cluster.KMeans and tqdm at module level, only for the
    #    frozen-weight k-means quantization, which these fixtures skip (its KMeans(n_jobs=20) call would raise a
    #    TypeError with scikit-learn >= 1.0 anyway). Stub them only if they are not installed.
    for mod, attrs in (("sklearn", None), ("tqdm", {"tqdm": None})):
        try:
            __import__(mod)
        except ImportError:
            m = types.ModuleType(mod)
            sys.modules[mod] = m
            if mod == "sklearn":
                cl = types.ModuleType("sklearn.cluster")
                cl.KMeans = None
                sys.modules["sklearn.cluster"] = cl
                m.cluster = cl
            else:
                m.tqdm = None
    # 3. F.upsample (LiteResidualModule.forward) and nn.LogSoftmax() without dim (ofa's label-smoothed loss) emit
    #    deprecation warnings; behaviour is unchanged (align_corners=False; dim=1 for 2-D input). Silence them.
    warnings.filterwarnings("ignore", message=".*upsample.*deprecated.*")
    warnings.filterwarnings("ignore", message=".*Implicit dimension choice for log_softmax.*")
    # 4. ofa.model_zoo (imports gdown) is never imported: the subnet comes from the supernet fixture.


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def import_reference(tinytl_dir):
    tinytl_dir = pathlib.Path(tinytl_dir).resolve()
    bad = []
    for rel, blob in TINYTL_BLOBS.items():
        p = tinytl_dir / rel
        if not p.is_file() or git_blob_id(p.read_bytes()) != blob:
            bad.append(rel)
    if bad:
        sys.exit(f"{tinytl_dir} is not the tinytl/ folder of {TINYTL_REPO}@{TINYTL_COMMIT[:7]} (differs: {bad})")
    install_workarounds()
    sys.path.insert(0, str(tinytl_dir))
    global LiteResidualModule, set_module_grad_status, enable_bn_update, enable_bias_update
    global OFAProxylessNASNets, ProxylessNASNets, LinearLayer, init_models, replace_bn_with_gn
    global replace_conv2d_with_my_conv2d, MyConv2d, build_optimizer, cross_entropy_with_label_smoothing
    from tinytl.model import LiteResidualModule
    from tinytl.utils import set_module_grad_status, enable_bn_update, enable_bias_update
    from ofa.imagenet_classification.elastic_nn.networks import OFAProxylessNASNets
    from ofa.imagenet_classification.networks import ProxylessNASNets
    from ofa.utils.layers import LinearLayer
    from ofa.utils import init_models, replace_bn_with_gn, replace_conv2d_with_my_conv2d, MyConv2d
    from ofa.utils.pytorch_utils import build_optimizer, cross_entropy_with_label_smoothing
    import tinytl
    assert pathlib.Path(tinytl.__file__).resolve().parent == tinytl_dir / "tinytl", tinytl.__file__


# ---------------------------------------------------------------------------------------------------------
def make_input(n, r, b=0):
    i = np.arange(n * 3 * r * r, dtype=np.int64)
    v = ((i + 100003 * b) * 7919) % 2001 - 1000
    return torch.from_numpy((v.astype(np.float64) / 1000.0).astype(np.float32).reshape(n, 3, r, r))


def load_arch():
    with h5py.File(SUPERNETS / "reference.h5", "r") as f:
        g = f["proxyless"]
        assert g.attrs["checkpoint"] == CHECKPOINT
        assert f[CONFIG_PATH].attrs["kind"] == "min", CONFIG_PATH
        arch = json.loads(f[CONFIG_PATH].attrs["arch"])
        sup = {k: g.attrs[k].item() for k in ("width_mult", "n_classes", "bn_eps", "bn_momentum")}
    return arch, sup


def load_subnet():
    """The supernet fixture (float16 values -> float32) through the reference get_active_subnet."""
    arch, sup = load_arch()
    net = OFAProxylessNASNets(n_classes=sup["n_classes"], dropout_rate=0, width_mult=sup["width_mult"],
                              ks_list=[3, 5, 7], expand_ratio_list=[3, 4, 6], depth_list=[2, 3, 4])
    assert net.get_bn_param()["eps"] == sup["bn_eps"] and net.get_bn_param()["momentum"] == sup["bn_momentum"]
    sd = torch.load(SUPERNETS / CHECKPOINT, map_location="cpu")["state_dict"]
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()})
    net.set_active_subnet(**arch)
    subnet = net.get_active_subnet(preserve_weight=True)
    assert isinstance(subnet, ProxylessNASNets)
    return subnet, arch


def lite_gamma_values(net):
    """Random non-zero final_bn.weight for every lite residual (lr_random variant): sign * U(0.25, 1.0)."""
    g = torch.Generator().manual_seed(LR_GAMMA_SEED)
    out = {}
    for name, m in net.named_modules():
        if isinstance(m, LiteResidualModule):
            w = m.lite_residual.final_bn.weight
            mag = torch.rand(w.shape, generator=g) * 0.75 + 0.25
            sign = torch.where(torch.rand(w.shape, generator=g) < 0.5, -1.0, 1.0)
            out[f"{name}.lite_residual.final_bn.weight"] = mag * sign
    return out


def set_trainable(net, method):
    """Exactly the flag logic of tinytl_fgvc_train.py (without --random_init_lite_residual)."""
    enable_feature_extractor_update = method == "full"
    enable_bn = method == "bn+last"
    enable_bias = method in ("tinytl-bias", "tinytl-lite_residual+bias")
    enable_lite_residual = method in LITE_METHODS
    set_module_grad_status(net, enable_feature_extractor_update)
    set_module_grad_status([net.classifier], True)
    if enable_bn:
        enable_bn_update(net)
    if enable_bias:
        enable_bias_update(net)
    if enable_lite_residual:
        for m in net.modules():
            if isinstance(m, LiteResidualModule):
                set_module_grad_status(m.lite_residual, True)
                if enable_bias or enable_bn:
                    m.lite_residual.final_bn.bias.requires_grad = False


def build_net(norm, lr_variant, method):
    """The TinyTL network, built in the order of tinytl_fgvc_train.py (--net proxyless_mobile) except that the
    ImageNet-pretrained ProxylessNAS-Mobile is replaced by the OFA-Proxyless subnet fixture, lite residuals are
    inserted only for lr_variant != None, and the k-means quantization of frozen weights is skipped."""
    torch.manual_seed(MANUAL_SEED)
    net, _ = load_subnet()
    if lr_variant is not None:
        LiteResidualModule.insert_lite_residual(net, *LITE_RESIDUAL_ARGS)
    if norm == "gn":
        replace_bn_with_gn(net, gn_channel_per_group=GN_CHANNEL_PER_GROUP)
    # (the script loads the pretrained checkpoint here; the random lite-residual γ stands in for pretrained values)
    if lr_variant == "lr_random":
        vals = lite_gamma_values(net)
        sd = net.state_dict(keep_vars=True)
        with torch.no_grad():
            for k, v in vals.items():
                sd[k].copy_(v)
    # re-seed so every net gets the same new classifier (the lite-residual insertion consumed random numbers):
    # a fresh branch (γ = 0) then leaves loss and logits bit-identical to the net without lite residuals
    torch.manual_seed(CLASSIFIER_SEED)
    net.classifier = LinearLayer(net.classifier.in_features, N_CLASSES, dropout_rate=0)
    init_models([net.classifier])
    set_trainable(net, method)
    # weight_quantization(net, bits=8, max_iter=20) of the script: SKIPPED
    if norm == "gn":
        replace_conv2d_with_my_conv2d(net, WS_EPS)
    return net


def set_mode(net):
    """RunManager.train_one_epoch calls net.train(); the frozen-bn mode then puts every BatchNorm in eval mode
    (running statistics used and never updated). Dropout is 0, GroupNorm has no mode: nothing else changes."""
    net.train()
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def make_optimizer(net):
    """RunManager's optimizer: ofa build_optimizer(adam, init_lr, weight_decay 0, no_decay_keys 'bn#bias')."""
    keys = ["bn", "bias"]
    params = [list(net.get_parameters(keys, mode="exclude")), list(net.get_parameters(keys, mode="include"))]
    return build_optimizer(params, "adam", None, LR, 0, "bn#bias")


def run(net, x, y):
    """One forward + loss + backward (grads kept), then ADAM_STEPS Adam steps on the same batch."""
    set_mode(net)
    opt = make_optimizer(net)
    losses, grads, logits0 = [], None, None
    for step in range(ADAM_STEPS):
        net.zero_grad()
        out = net(x)
        loss = cross_entropy_with_label_smoothing(out, y, LABEL_SMOOTHING)
        loss.backward()
        losses.append(loss.detach().clone())
        if step == 0:
            logits0 = out.detach().clone()
            grads = {n: p.grad.detach().clone() for n, p in net.named_parameters() if p.requires_grad}
        opt.step()
    with torch.no_grad():
        final = cross_entropy_with_label_smoothing(net(x), y, LABEL_SMOOTHING)
    after = {n: p.detach().clone() for n, p in net.named_parameters() if p.requires_grad}
    return dict(logits=logits0, losses=torch.stack(losses), loss_after5=final.detach(), grads=grads, after=after)


def trainable_names(net):
    return [n for n, p in net.named_parameters() if p.requires_grad]


def to_json(obj):
    """JSON attributes without the optional spaces after ',' and ':' (same content, ~10% fewer bytes)."""
    return json.dumps(obj, separators=(",", ":"))


def net_name(norm, lr_variant):
    return norm if lr_variant is None else f"{norm}+{lr_variant}"


def variants():
    """(norm, method, lr_variant) of every stored run."""
    for norm in NORMS:
        for method in METHODS:
            for lr_variant in (LR_VARIANTS if method in LITE_METHODS else [None]):
                yield norm, method, lr_variant


def stores_after5(lr_variant):
    """after5/ is stored for every run except the lr_zero ones (their branches are dead at step 0; the lr_random
    runs cover 5 Adam steps through live branches; lr_zero keeps grad/, losses and loss_after5)."""
    return lr_variant != "lr_zero"


def run_path(norm, method, lr_variant):
    return f"runs/{norm}/{method}" + ("" if lr_variant is None else f"/{lr_variant}")


# ---------------------------------------------------------------------------------------------------------
def hdf5_c_library():
    """The libhdf5 that h5py itself is linked against (already loaded into this process), for two storage settings
    h5py does not wrap: H5Fset_dset_no_attrs_hint and H5Pset_link_phase_change (both HDF5 >= 1.10.5 / 1.8)."""
    import h5py.h5  # noqa: F401  (makes sure the library is loaded)
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "/libhdf5" in line and ".so" in line}
    paths = sorted(p for p in paths if "_hl" not in pathlib.Path(p).name and "hdf5_" not in pathlib.Path(p).name)
    if len(paths) != 1:
        sys.exit(f"cannot tell which libhdf5 h5py uses: {paths}")
    lib = ctypes.CDLL(paths[0])
    maj, mnr, rel = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    assert lib.H5get_libversion(ctypes.byref(maj), ctypes.byref(mnr), ctypes.byref(rel)) >= 0
    assert (maj.value, mnr.value, rel.value) == h5py.version.hdf5_version_tuple, (paths[0], h5py.version.hdf5_version)
    return lib


class Writer:
    """Writes groups and datasets deterministically (no object timestamps, so the file is byte-identical between
    runs). A tensor identical (dtype, shape, bytes) to one already written becomes an HDF5 hard link to it
    (transparent to readers: both paths are ordinary datasets), which keeps the file small."""

    def __init__(self, f):
        self.f, self.seen, self.links = f, {}, 0
        lib = hdf5_c_library()
        # minimized dataset object headers (no space reserved for attributes; none of the datasets has any):
        # ~170 bytes less per dataset. Plain object headers, readable by any libhdf5 >= 1.8.
        assert lib.H5Fset_dset_no_attrs_hint(ctypes.c_int64(f.id.id), ctypes.c_bool(True)) >= 0
        self.gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
        self.gcpl.set_obj_track_times(False)
        self.gcpl.set_attr_phase_change(MAX_COMPACT_ATTRS, MAX_COMPACT_ATTRS - 1)
        assert lib.H5Pset_link_phase_change(ctypes.c_int64(self.gcpl.id), ctypes.c_uint(MAX_COMPACT_LINKS),
                                            ctypes.c_uint(MAX_COMPACT_LINKS - 1)) >= 0

    def group(self, path):
        cur = self.f
        for part in path.split("/"):
            if part not in cur:
                h5py.h5g.create(cur.id, part.encode(), gcpl=self.gcpl)
            cur = cur[part]
        return cur

    def put(self, path, t):
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        a = np.array(a, order="C")  # keeps 0-d tensors 0-d (np.ascontiguousarray would make them 1-d)
        parent, leaf = path.rsplit("/", 1)
        g = self.group(parent)
        key = (a.dtype.str, a.shape, hashlib.sha256(a.tobytes()).hexdigest())
        if key in self.seen:
            g[leaf] = self.f[self.seen[key]]
            self.links += 1
        else:
            kw = {}
            if a.nbytes >= COMPRESS_MIN_BYTES:  # one chunk = the whole tensor, shuffle + deflate
                kw = dict(chunks=a.shape, compression="gzip", compression_opts=9, shuffle=True)
            g.create_dataset(leaf, data=a, track_times=False, **kw)
            self.seen[key] = path


def recipe_text():
    return (
        f"Subnet: Tests/Fixtures/supernets/{CHECKPOINT} (float16 -> float32) loaded into the reference "
        "OFAProxylessNASNets, set_active_subnet(**arch of reference.h5 " + CONFIG_PATH + ", kind min), "
        "get_active_subnet(preserve_weight=True) (ofa " + OFA_VERSION + "). Then, in the order of "
        "tinytl_fgvc_train.py: torch.manual_seed(0) before the subnet is built; lite-residual nets: "
        "LiteResidualModule.insert_lite_residual(net, 2, 'bilinear', 1, 5, 'relu', 2) (fresh branches: he_fout, "
        "BN 1/0, final_bn.weight = 0; lr_random additionally sets every final_bn.weight to sign*U(0.25,1) from "
        f"torch.Generator({LR_GAMMA_SEED}), in named_modules order, weight then sign draws per branch); gn: "
        "ofa replace_bn_with_gn(net, 8); torch.manual_seed(1); net.classifier = LinearLayer(in, 10, dropout_rate=0) + "
        "init_models (U(+-1/sqrt(in)), bias 0; identical in every net); trainable flags by set_module_grad_status/enable_bn_update/enable_bias_update/lite-residual loop "
        "exactly as the script; weight_quantization SKIPPED; gn: replace_conv2d_with_my_conv2d(net, 1e-5) (weight "
        "standardisation). Mode: net.train() then every BatchNorm .eval() (frozen-bn: running stats used, never "
        f"updated). Input: batch {BATCH}, {RESOLUTION}x{RESOLUTION}, {INPUT_FORMULA}; labels {LABELS}. Loss: ofa "
        f"cross_entropy_with_label_smoothing(logits, labels, {LABEL_SMOOTHING}) = mean_b sum_c -((1-ls)*onehot + ls/10) "
        "* log_softmax. Step 0: zero_grad, forward, loss, backward -> loss, logits, grad/<name>. Optimizer: ofa "
        f"build_optimizer('adam', lr {LR}, weight_decay 0, no_decay 'bn#bias') = torch.optim.Adam (betas 0.9/0.999, "
        f"eps 1e-8, two param groups, both wd 0), constant lr (no cosine schedule), {ADAM_STEPS} steps on the same "
        "batch (zero_grad, forward, loss, backward, step); losses[k] = loss of the forward of step k; "
        "after5/<name> = trainable tensors after the 5th step (stored for every run except the lr_zero ones); "
        "loss_after5 = loss of a forward after it.")


def generate():
    arch, _ = load_arch()
    x = make_input(BATCH, RESOLUTION)
    y = torch.tensor(LABELS, dtype=torch.long)
    with h5py.File(OUT, "w", libver=LIBVER) as f:
        w = Writer(f)
        f.attrs["format"] = FORMAT
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["generator"] = GENERATOR
        f.attrs["torch_version"] = str(torch.__version__)
        f.attrs["ofa_version"] = importlib.metadata.version("ofa")
        f.attrs["tinytl_repo"] = TINYTL_REPO
        f.attrs["tinytl_commit"] = TINYTL_COMMIT
        f.attrs["numpy_version"] = np.__version__
        f.attrs["h5py_version"] = h5py.__version__
        for mod in ("scikit-learn", "torchvision"):
            try:
                f.attrs[f"{mod.replace('-', '_')}_version"] = importlib.metadata.version(mod)
            except importlib.metadata.PackageNotFoundError:
                f.attrs[f"{mod.replace('-', '_')}_version"] = "absent (stubbed; unused)"
        f.attrs["recipe"] = recipe_text()
        f.attrs["supernet_fixture"] = f"Tests/Fixtures/supernets/{CHECKPOINT}"
        f.attrs["arch_source"] = f"Tests/Fixtures/supernets/reference.h5 {CONFIG_PATH} attr arch"
        f.attrs["arch"] = to_json(arch)
        f.attrs["resolution"] = RESOLUTION
        f.attrs["batch"] = BATCH
        f.attrs["labels"] = np.array(LABELS, dtype=np.int64)
        f.attrs["n_classes"] = N_CLASSES
        f.attrs["label_smoothing"] = LABEL_SMOOTHING
        f.attrs["lr"] = LR
        f.attrs["adam_steps"] = ADAM_STEPS
        f.attrs["input_formula"] = INPUT_FORMULA
        f.attrs["ws_eps"] = WS_EPS
        f.attrs["gn_channel_per_group"] = GN_CHANNEL_PER_GROUP
        f.attrs["quantization"] = "skipped (the script k-means-quantizes frozen conv/linear weights to 8 bits)"
        f.attrs["methods"] = to_json(METHODS)
        f.attrs["norms"] = to_json(NORMS)
        w.put("input/labels", y)

        # networks (state_dict after setup; identical for every method on the same net, flags aside)
        for norm in NORMS:
            for lr_variant in [None] + LR_VARIANTS:
                name = net_name(norm, lr_variant)
                net = build_net(norm, lr_variant, "full")
                g = w.group(f"nets/{name}")
                g.attrs["norm"] = norm
                g.attrs["lite_residual"] = "none" if lr_variant is None else lr_variant
                g.attrs["config"] = to_json(net.config)
                sd = net.state_dict()
                g.attrs["state_dict_keys"] = to_json(list(sd))
                g.attrs["state_dict_shapes"] = to_json([[k, list(v.shape)] for k, v in sd.items()])
                g.attrs["n_params"] = sum(p.numel() for p in net.parameters())
                for k, v in sd.items():
                    w.put(f"nets/{name}/state_dict/{k}", v.float() if v.is_floating_point() else v)
                # the trainable set every method would get on this very net (script flag logic)
                for method in METHODS:
                    set_trainable(net, method)
                    g.attrs[f"trainable_{method}"] = to_json(trainable_names(net))
                print(f"net {name}: {len(sd)} keys, {g.attrs['n_params']} params")

        for norm, method, lr_variant in variants():
            net = build_net(norm, lr_variant, method)
            res = run(net, x, y)
            p = run_path(norm, method, lr_variant)
            g = w.group(p)
            g.attrs["net"] = f"nets/{net_name(norm, lr_variant)}"
            g.attrs["norm"] = norm
            g.attrs["method"] = method
            g.attrs["lite_residual"] = "none" if lr_variant is None else lr_variant
            names = trainable_names(net)
            g.attrs["trainable"] = to_json(names)
            g.attrs["n_trainable"] = sum(q.numel() for q in net.parameters() if q.requires_grad)
            w.put(f"{p}/loss", res["losses"][0])
            w.put(f"{p}/losses", res["losses"])
            w.put(f"{p}/loss_after5", res["loss_after5"])
            w.put(f"{p}/logits", res["logits"])
            for n in names:
                w.put(f"{p}/grad/{n}", res["grads"][n])
            if stores_after5(lr_variant):
                for n in names:
                    w.put(f"{p}/after5/{n}", res["after"][n])
            nz = sum(int((t != 0).any()) for t in res["grads"].values())
            print(f"{p:48s} loss {res['losses'][0].item():.6f} -> {res['loss_after5'].item():.6f}  "
                  f"trainable {len(names)} tensors / {g.attrs['n_trainable']} params, {nz} with non-zero grad")
        print(f"{w.links} tensors stored as hard links to identical ones")


def verify():
    """Rebuild every net from the reference code, check its state_dict equals the stored one, then load the stored
    state_dict into a freshly built net and re-run: loss, logits, grads, losses, after5 must be bit-identical."""
    x = make_input(BATCH, RESOLUTION)
    y = torch.tensor(LABELS, dtype=torch.long)
    n_checked = 0
    with h5py.File(OUT, "r") as f:
        assert f.attrs["format"] == FORMAT and f.attrs["format_version"] == FORMAT_VERSION
        assert np.array_equal(f["input/labels"][()], y.numpy())
        for norm, method, lr_variant in variants():
            g = f[run_path(norm, method, lr_variant)]
            sg = f[g.attrs["net"]]
            net = build_net(norm, lr_variant, method)
            sd = net.state_dict()
            assert list(sd) == json.loads(sg.attrs["state_dict_keys"])
            for k, v in sd.items():
                assert np.array_equal(v.numpy(), sg["state_dict"][k][()]), (g.name, k)
            # fresh net, weights from the file
            net = build_net(norm, lr_variant, method)
            for v in net.state_dict().values():
                v.zero_()  # make sure everything really comes from the file
            net.load_state_dict({k: torch.from_numpy(np.asarray(sg["state_dict"][k][()])) for k in sd})
            assert trainable_names(net) == json.loads(g.attrs["trainable"])
            assert json.loads(sg.attrs[f"trainable_{method}"]) == json.loads(g.attrs["trainable"])
            res = run(net, x, y)
            assert np.array_equal(res["losses"][0].numpy(), g["loss"][()]), g.name
            assert np.array_equal(res["losses"].numpy(), g["losses"][()]), g.name
            assert np.array_equal(res["loss_after5"].numpy(), g["loss_after5"][()]), g.name
            assert np.array_equal(res["logits"].numpy(), g["logits"][()]), g.name
            for n in json.loads(g.attrs["trainable"]):
                assert np.array_equal(res["grads"][n].numpy(), g["grad"][n][()]), (g.name, n)
                if stores_after5(lr_variant):
                    assert np.array_equal(res["after"][n].numpy(), g["after5"][n][()]), (g.name, n)
            assert ("after5" in g) == stores_after5(lr_variant), g.name
            # frozen-bn really froze the running statistics; frozen tensors did not move
            after_sd = net.state_dict()
            trainable = set(json.loads(g.attrs["trainable"]))
            for k, v in after_sd.items():
                if k not in trainable:
                    assert np.array_equal(v.numpy(), sg["state_dict"][k][()]), (g.name, k)
            n_checked += 1
        # a fresh lite residual (final_bn.weight = 0) adds exact zeros: same loss/logits as the net without it
        for norm in NORMS:
            for method in LITE_METHODS:
                a, b = f[run_path(norm, method, "lr_zero")], f[run_path(norm, "full", None)]
                assert np.array_equal(a["logits"][()], b["logits"][()]) and a["loss"][()] == b["loss"][()]
    print(f"verified {n_checked} runs: state_dicts rebuild identically; re-loading and re-running reproduces "
          "loss, logits, grads, 5-step losses and after5 (all but lr_zero) bit for bit; frozen tensors and BN statistics unchanged")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tinytl", default=os.environ.get("TINYTL_SRC"),
                    help="the tinytl/ folder of mit-han-lab/tinyml (default $TINYTL_SRC)")
    ap.add_argument("--verify", action="store_true", help="only re-check the existing gradients.h5")
    args = ap.parse_args()
    if not args.tinytl:
        sys.exit("give --tinytl <path to mit-han-lab/tinyml/tinytl> or set TINYTL_SRC")
    assert torch.__version__ == TORCH_VERSION, f"pinned to torch {TORCH_VERSION}, found {torch.__version__}"
    ofa_version = importlib.metadata.version("ofa")
    assert ofa_version == OFA_VERSION, f"pinned to ofa {OFA_VERSION}, found {ofa_version}"
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    import_reference(args.tinytl)
    if not args.verify:
        generate()
    verify()
    print(f"{OUT.name}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
