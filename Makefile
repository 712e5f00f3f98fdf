# The two commands a new user needs (README): `make demo` runs the main job on the shipped default supernet
# (a quick memory-constrained search on ../shared/datasets/flowers5),
# `make test` runs the tests. Both install the Debian packages first; `make test` also fetches the original
# EfficientNet-Lite0 checkpoint for the parity tests (each step is skipped when already done).
SHARED ?= ../shared

.PHONY: deps weights test demo bench

deps:
	bash Scripts/install-deps.sh

weights:
	bash Scripts/fetch-weights.sh

test: deps weights
	swift test

demo: deps
	swift build -c release --product ofa-search
	.build/release/ofa-search --dataset $(SHARED)/datasets/flowers5 --mem 32MB --quick --output Searches/demo-$$(date +%Y%m%d-%H%M%S)

bench: deps weights
	bash Benchmarks/run.sh
