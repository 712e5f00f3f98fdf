# The two commands a new user needs (README): `make demo` runs the main job, `make test` runs the tests.
# Each installs the Debian packages and fetches the pretrained weights first (both skipped when present).
SHARED ?= ../shared

.PHONY: deps weights test demo bench

deps:
	bash Scripts/install-deps.sh

weights:
	bash Scripts/fetch-weights.sh

test: deps weights
	swift test

demo: deps weights
	swift build -c release --product ofa-search
	.build/release/ofa-search predict $(SHARED)/images/coffee.png $(SHARED)/images/sklearn-flower.jpg $(SHARED)/images/chelsea.png

bench: deps weights
	bash Benchmarks/run.sh
