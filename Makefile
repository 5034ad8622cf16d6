# netdoctor.openstack: every target does its own set-up on a fresh Debian 12 machine (as root).
#   make test   everything: lint, sanity, unit tests, every molecule scenario
#   make demo   the audit -> verify job on the built-in lab
#   make bench  the benchmarks, printed as tables
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
BUILD := $(ROOT)/.build
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PYTHON ?= /usr/bin/python3
COLLECTION_TREE := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTION_TREE)/ansible_collections/netdoctor/openstack
SANITY_TREE := $(BUILD)/sanity/ansible_collections/netdoctor/openstack
# Scenarios that exist but have not yet passed end to end on main would be listed here and run by name only
# (make molecule SCENARIO=NAME) until they do; every scenario has passed.
SCENARIOS_PENDING :=
SCENARIOS := $(filter-out $(SCENARIOS_PENDING),$(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))))
SCENARIO ?= $(SCENARIOS)
SANITY_ARGS ?=
MOLECULE_JOBS ?= 2

export PATH := $(BIN):$(PATH)
export CONTAINERS_CONF := $(ROOT)/.config/containers/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTION_TREE)
export ANSIBLE_HOME := $(BUILD)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(BUILD)/ansible-home/tmp
export MOLECULE_GLOB := molecule/*/molecule.yml
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export NO_COLOR := 1
export ANSIBLE_NOCOLOR := 1

# Debian packages the tests, the lab and the benchmarks use on this machine (chromium: report.html's test).
SYSTEM_PACKAGES := python3 python3-venv python3-pip git rsync make podman runc netavark aardvark-dns debootstrap \
	iproute2 ethtool iptables nftables openvswitch-switch dnsmasq-base iputils-ping \
	iputils-tracepath tcpdump procps uidmap slirp4netns fuse-overlayfs ca-certificates debian-archive-keyring shellcheck \
	chromium

.PHONY: help setup system venv collection lab-image lab-images lab-limits lint sanity unit install-check ee-check molecule test demo bench build clean

help:
	@echo "make test   - set up, then run lint, sanity, unit tests and every molecule scenario"
	@echo "make demo   - set up, build the lab, audit it, repair what the collection can, verify"
	@echo "make bench  - run the benchmarks (bench/bench_*.py) and print their numbers"
	@echo "make unit | lint | sanity | molecule [SCENARIO=name] | lab-image | build"

setup: system venv collection

system: $(BUILD)/system.stamp
$(BUILD)/system.stamp: Makefile
	@mkdir -p $(BUILD)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing > $(BUILD)/apt.log 2>&1 || { tail -30 $(BUILD)/apt.log; exit 1; }; \
	fi
	@touch $@

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements.txt requirements-dev.txt $(BUILD)/system.stamp
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

collection: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn $(ROOT) $@

lab-image: system
	@lab/build-image.sh

# the node image and every variant under lab/variants/ (scenarios that need heavy extras)
lab-images: system
	@lab/build-image.sh --all

lint: setup
	ruff check .
	ruff format --check .
	yamllint -s .
	ansible-lint --profile production --offline
	python tests/role_readme.py --check

# ansible-test needs the collection at ansible_collections/netdoctor/openstack; it is run on a
# copy of the files git knows (tracked and not ignored), with the offline get-pip stand-in.
sanity: setup
	@mkdir -p $(SANITY_TREE) $(HOME)/.ansible/test/cache
	@cp tests/sanity/get_pip_stub.py $(HOME)/.ansible/test/cache/get_pip_24_2.py
	@tests/sanity/sync-tree.sh $(SANITY_TREE)
	cd $(SANITY_TREE) && ansible-test sanity --venv --python 3.11 --requirements --color no $(SANITY_ARGS)

unit: setup
	pytest -q -p no:cacheprovider tests/unit

# systemd in every lab container takes inotify instances; the kernel's default of 128 per user runs out
# with a few scenarios' containers up (systemd then never finishes booting)
lab-limits:
	@if [ "$$(sysctl -n fs.inotify.max_user_instances)" -lt 2048 ]; then sysctl -q -w fs.inotify.max_user_instances=2048; fi

# scenarios run in MOLECULE_JOBS parallel lanes (1: one after another); each logs to .build/molecule/NAME.log
molecule: setup lab-images lab-limits
	@tests/molecule-lanes.sh $(MOLECULE_JOBS) $(SCENARIO)

test: setup lab-images lint sanity unit install-check ee-check molecule
	@echo "make test: all checks passed"

install-check: setup
	tests/install-check.sh

# execution-environment.yml renders with ansible-builder and declares what the collection needs
ee-check: setup
	tests/ee-check.sh

build: setup
	@mkdir -p $(BUILD)/dist
	ansible-galaxy collection build --force --output-path $(BUILD)/dist .

# the demo's network node serves a real Networking API: the node image and its neutron-api variant
demo: setup lab-limits
	@lab/build-image.sh neutron-api
	lab/demo.sh

bench: setup lab-image
	@failed=""; for b in bench/bench_*.py; do echo "=== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "benchmarks that missed a target or failed:$$failed"; exit 1; fi

clean:
	rm -rf $(BUILD) tests/output
