# bench/apt.sh: sourced by the bench scripts, which install what they compare against.
# apt_install PKG...: only as root; waits for a held dpkg lock, and refreshes the package
# lists once if the first try fails (a fresh machine has none).
apt_install() {
    [ "$(id -u)" = 0 ] || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    printf 'installing %s\n' "$*"
    apt-get -o DPkg::Lock::Timeout=600 install -y -q "$@" >/dev/null 2>&1 && return 0
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null 2>&1
    apt-get -o DPkg::Lock::Timeout=600 install -y -q "$@" >/dev/null 2>&1
}
