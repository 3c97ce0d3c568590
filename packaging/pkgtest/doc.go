// Package pkgtest checks the packages `make package` built: contents,
// signatures, tampered copies, clean install/remove in throwaway roots, MSI
// tables and properties, policy precedence and update-manifest verification.
// Its tests carry the `packaging` build tag; run them with `make test-package`.
package pkgtest
