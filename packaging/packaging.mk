# Packaging: signed .deb/.rpm (nfpm, debsigs, rpmsign), Windows homeshore.exe and
# MSI (mingw-w64, wixl, osslsigncode), and `make test-package`, which runs all of
# it with throwaway keys and checks the results. Included from the top-level Makefile.
#
# make package needs the signing keys (see docs/packaging.md):
#   HOMESHORE_SIGN_KEY            OpenPGP key fingerprint (in GNUPGHOME) for deb and rpm
#   HOMESHORE_AUTHENTICODE_CERT   PEM code-signing certificate chain for exe and msi
#   HOMESHORE_AUTHENTICODE_KEY    its PEM private key
#   HOMESHORE_TIMESTAMP_URL       optional RFC 3161 timestamp server

NFPM_VERSION := v2.45.0
PKG_TOOLS ?= $(HOME)/.cache/homeshore/tools
NFPM := $(PKG_TOOLS)/nfpm-$(NFPM_VERSION)/nfpm
DIST ?= dist

.PHONY: package package-linux package-windows test-package deps-packaging

deps-packaging:
	@scripts/install-deps.sh packaging

# nfpm is a Go module: built once at a pinned version into a cache outside the repo.
# (v2.46+ depends on go.digitalxero.dev modules the module proxy here refuses.)
$(NFPM):
	@mkdir -p $(dir $@)
	GOBIN=$(abspath $(dir $@)) $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

package: package-linux package-windows

# Checked before building, so no unsigned package is ever left in $(DIST).
package-linux: deps-packaging build $(NFPM)
	@test -n "$$HOMESHORE_SIGN_KEY" || { echo "package-linux: set HOMESHORE_SIGN_KEY to the OpenPGP signing key's fingerprint (docs/packaging.md); make test-package uses a throwaway key"; exit 1; }
	rm -rf $(DIST)/linux && mkdir -p $(DIST)/linux
	NFPM=$(NFPM) packaging/linux/build.sh $(BIN) $(VERSION) $(DIST)/linux
	packaging/sign-linux.sh $(DIST)/linux

package-windows: deps-packaging
	@test -n "$$HOMESHORE_AUTHENTICODE_CERT" -a -n "$$HOMESHORE_AUTHENTICODE_KEY" || { echo "package-windows: set HOMESHORE_AUTHENTICODE_CERT and HOMESHORE_AUTHENTICODE_KEY (docs/packaging.md); make test-package uses a throwaway certificate"; exit 1; }
	rm -rf $(DIST)/windows && mkdir -p $(DIST)/windows
	GO=$(GO) packaging/windows/build-exe.sh $(VERSION) $(DIST)/windows
	packaging/windows/sign.sh $(DIST)/windows/homeshore.exe $(DIST)/windows/homeshore-cli.exe
	packaging/windows/build-msi.sh $(VERSION) $(DIST)/windows
	packaging/windows/sign.sh $(DIST)/windows/homeshore-*.msi
	cp -r packaging/windows/gpo $(DIST)/windows/gpo

# Throwaway OpenPGP key and code-signing CA, `make package`, then the package tests.
test-package: deps-packaging
	GO=$(GO) MAKE=$(MAKE) packaging/test-package.sh
