# The two commands a new user needs (README): `make demo` runs the main job on the shipped default supernet,
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
	.build/release/ofa-search supernet inspect Supernets/effnet-lite0-elastic.h5
	.build/release/ofa-search predict --weights Supernets/effnet-lite0-elastic.h5 \
	    $(SHARED)/images/coffee.png $(SHARED)/images/sklearn-flower.jpg $(SHARED)/images/chelsea.png

bench: deps weights
	bash Benchmarks/run.sh
