#!/bin/sh
# The C API as a user gets it: `make install` into a scratch DESTDIR with
# PREFIX=/usr, then the two examples of tools/migrators/ copied out of the
# tree and built against the installed files alone, with
# `pkg-config --cflags --libs migsim` (PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR pointing into the DESTDIR), and run:
#   - the plugin, librefuse.so, loaded by the installed migsim passes its
#     scenarios (tools/migrators/refuse-*.scn);
#   - embed, linked with the installed libmigsim, prints the outcomes its own
#     migrator reaches on scenarios/kb842101/no-cancel.scn;
# and `make uninstall` removes everything install put there.
#   sh tools/test_install.sh MAKE [MAKE ARGUMENTS...]
# EXAMPLE_CFLAGS (the sanitizer flags of a `make san` build) are added to the
# examples' compile so they link with an instrumented libmigsim.
set -u
make=$1; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
fail=0
no() { echo "test_install: FAIL: $*" >&2; fail=1; }

if ! "$make" -s --no-print-directory "$@" install DESTDIR="$root" PREFIX=/usr >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    echo "test_install: FAIL: make install" >&2
    exit 1
fi
for f in usr/bin/migsim usr/include/migsim/migration/migrator.h usr/include/migsim/kernel/trace.h \
         usr/include/migsim/run/sim.h usr/include/migsim/run/result.h usr/include/migsim/scenario/scenario.h \
         usr/lib/libmigsim.a usr/lib/libmigsim.so usr/lib/pkgconfig/migsim.pc; do
    [ -e "$root/$f" ] || no "make install did not install /$f"
done

export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
cflags=$(pkg-config --cflags migsim) || no "pkg-config --cflags migsim"
libs=$(pkg-config --cflags --libs migsim) || no "pkg-config --cflags --libs migsim"
case " $cflags " in *" -I$root/usr/include/migsim "*) ;; *) no "Cflags '$cflags' lack -I$root/usr/include/migsim" ;; esac

# Out of the tree: nothing but the installed files can be found.
mkdir "$tmp/src"
cp tools/migrators/refuse.c tools/migrators/embed.c "$tmp/src/"
cc=${CC:-cc}
flags="-std=c11 -Wall -Wextra -Werror ${EXAMPLE_CFLAGS:-}"
(cd "$tmp/src" && $cc $flags -fPIC -shared $cflags refuse.c -o librefuse.so) || no "the plugin does not build"
(cd "$tmp/src" && $cc $flags embed.c $libs -o embed) || no "embed does not build with pkg-config --cflags --libs migsim"

for scn in tools/migrators/refuse-*.scn; do
    out=$("$root/usr/bin/migsim" run "$scn" --migrator "plugin:$tmp/src/librefuse.so" --quiet 2>&1)
    rc=$?
    [ $rc -eq 0 ] || no "the installed plugin on $scn: exit $rc: $out"
done

cat >"$tmp/want" <<'OUT'
user1 cloned extra=0 dupes=0 missing=0 rules_broken=0
user2 cloned extra=2 dupes=0 missing=0 rules_broken=0
user3 cloned extra=0 dupes=0 missing=0 rules_broken=0
user4 cloned extra=0 dupes=0 missing=0 rules_broken=0
user5 cloned extra=0 dupes=0 missing=0 rules_broken=0
user6 cloned extra=0 dupes=0 missing=0 rules_broken=0
verdict: PASS
OUT
LD_LIBRARY_PATH="$root/usr/lib" "$tmp/src/embed" scenarios/kb842101/no-cancel.scn >"$tmp/got" 2>&1 ||
    no "embed exited $?"
cmp -s "$tmp/want" "$tmp/got" || { no "embed printed:"; cat "$tmp/got" >&2; }
# The embedding program runs on the installed shared library, not a copy of its own.
LD_LIBRARY_PATH="$root/usr/lib" ldd "$tmp/src/embed" 2>/dev/null | grep -q "$root/usr/lib/libmigsim.so" ||
    no "embed is not linked with the installed libmigsim.so"

"$make" -s --no-print-directory "$@" uninstall DESTDIR="$root" PREFIX=/usr >"$tmp/uninstall.log" 2>&1 ||
    no "make uninstall"
left=$(find "$root" -type f -o -type l)
[ -z "$left" ] || no "make uninstall left: $left"
[ $fail -eq 0 ] && echo "test_install: installed, the examples built with pkg-config migsim and ran"
exit $fail
