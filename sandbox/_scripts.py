"""The small POSIX shell scripts the Docker environment runs inside the container.

They use only tools found in busybox and in Debian's base images (``sh``, ``setsid``,
``realpath``, ``sed``, ``cut``, ``find``, ``grep``, ``xargs``), so any image with a shell
works. Each is run as ``sh -c SCRIPT polos ARGS...``; arguments are never interpolated into
the script text.

Exit codes (beyond a command's own): see the ``EXIT_*`` constants.
"""

from __future__ import annotations

EXIT_OUTSIDE = 93
EXIT_MISSING = 94
EXIT_DIRECTORY = 95
EXIT_NOT_DIRECTORY = 96
EXIT_BAD_REGEX = 97
EXIT_WRITE_FAILED = 98
EXIT_TIMED_OUT = 124

LAST_USED = "/tmp/.polos-last-used"
"""Touched by every operation; its mtime is the container's last use (read by the reaper)."""

TIMEOUT_NOTICE = "polos: timed out after {} s; the command and its processes were killed"

# A redirection is a shell builtin, so marking the last use costs no process.
_TOUCH = f": > {LAST_USED} 2>/dev/null\n"

# $1 workdir, $2 timeout seconds, $3 command, $4 token naming the marker files.
# The watcher starts first, before the command can use up the pids limit; the command gets
# its own session (setsid) so the whole group can be killed: on timeout, and when the
# command ends so nothing it left behind keeps running or holds the output open.
RUN = (
    _TOUCH
    + r"""cd "$1" 2>/dev/null || { echo "polos: no such directory: $1" >&2; exit 126; }
f=/tmp/.polos-exec.$4
setsid sh -c 'sleep "$1"; read -r g < "$2.pg" || exit 0; : > "$2.to"
kill -TERM -"$g" 2>/dev/null; sleep 2; kill -KILL -"$g" 2>/dev/null' polos-watch "$2" "$f" \
  </dev/null >/dev/null 2>&1 &
w=$!
setsid sh -c "$3" </dev/null &
c=$!
echo "$c" > "$f.pg"
wait "$c"
rc=$?
kill -KILL -"$c" 2>/dev/null
kill -KILL -"$w" 2>/dev/null
if [ -e "$f.to" ]; then
  rc=124
  echo "polos: timed out after $2 s; the command and its processes were killed" >&2
fi
rm -f "$f.pg" "$f.to" 2>/dev/null
exit "$rc"
"""
)

# $W workspace. check PATH: the deepest existing part of PATH, symlinks resolved, must be
# inside the workspace; a path that does not exist yet cannot contain a symlink below that.
_CHECK = (
    _TOUCH
    + rf"""W=$1
check() {{
  p=$1
  while [ ! -e "$p" ] && [ ! -L "$p" ]; do p=${{p%/*}}; [ -n "$p" ] || p=/; done
  r=$(realpath "$p" 2>/dev/null) || {{ echo "$p" >&2; exit {EXIT_OUTSIDE}; }}
  case "$r" in "$W"|"$W"/*) ;; *) echo "$r" >&2; exit {EXIT_OUTSIDE};; esac
}}
"""
)

# $1 workspace, $2 file, $3 first line, $4 last line, $5 bytes kept per line.
READ = (
    _CHECK
    + rf"""check "$2"
[ -e "$2" ] || exit {EXIT_MISSING}
[ -d "$2" ] && exit {EXIT_DIRECTORY}
sed -n "$3,$4p;$4q" "$2" | cut -c "1-$5"
"""
)

# $1 workspace, $2 file.
CAT = (
    _CHECK
    + rf"""check "$2"
[ -e "$2" ] || exit {EXIT_MISSING}
[ -d "$2" ] && exit {EXIT_DIRECTORY}
cat "$2"
"""
)

# $1 workspace, $2 file; content on stdin. Prints 1 when the file was created.
WRITE = (
    _CHECK
    + rf"""check "$2"
[ -d "$2" ] && exit {EXIT_DIRECTORY}
if [ -e "$2" ]; then created=0; else created=1; fi
mkdir -p "${{2%/*}}" 2>/dev/null || {{ echo "no folder" >&2;
  exit {EXIT_WRITE_FAILED}; }}
cat > "$2" || exit {EXIT_WRITE_FAILED}
echo "$created"
"""
)

# $1 workspace, $2 folder. Lists files (and symlinks) below it, skipping .git.
FIND = (
    _CHECK
    + rf"""check "$2"
[ -e "$2" ] || exit {EXIT_MISSING}
[ -d "$2" ] || exit {EXIT_NOT_DIRECTORY}
cd "$2" && find . -name .git -prune -o \( -type f -o -type l \) -print
"""
)

# $1 workspace, $2 file or folder, $3 pattern, $4 grep options, $5 file name glob or "".
GREP = (
    _CHECK
    + rf"""check "$2"
[ -e "$2" ] || exit {EXIT_MISSING}
err=$(echo | grep -E -e "$3" 2>&1 >/dev/null)
if [ $? -eq 2 ]; then echo "$err" >&2; exit {EXIT_BAD_REGEX}; fi
if [ -d "$2" ]; then
  cd "$2" || exit {EXIT_MISSING}
  if [ -n "$5" ]; then
    find . -name .git -prune -o -type f -name "$5" -print0 | xargs -0 -r grep $4 -e "$3" --
  else
    find . -name .git -prune -o -type f -print0 | xargs -0 -r grep $4 -e "$3" --
  fi
else
  cd "${{2%/*}}/" && grep $4 -e "$3" -- "./${{2##*/}}"
fi
exit 0
"""
)

# Prints the mtime of the last-use marker, or nothing.
LAST_USED_MTIME = f"stat -c %Y {LAST_USED} 2>/dev/null || true"

REQUIRED_TOOLS = "setsid realpath sed cut find grep xargs sleep mkdir cat stat rm"
"""What the scripts use besides the shell's builtins; the image must provide them."""

# Prints "uid:gid" of the workspace, then the required tools the image lacks.
PREPARE = f"""stat -c %u:%g "$1"
for tool in {REQUIRED_TOOLS}; do command -v "$tool" >/dev/null 2>&1 || printf '%s ' "$tool"; done
echo
"""

SCRIPTS = {"RUN": RUN, "READ": READ, "CAT": CAT, "WRITE": WRITE, "FIND": FIND, "GREP": GREP}
"""The scripts by name; the shell server keeps each in a variable ``S_<name>``."""


def _assign(name: str, script: str) -> str:
    return f"S_{name}='" + script.replace("'", "'\"'\"'") + "'\n"


# A long-lived shell in the container that runs one request line at a time, so a command
# costs a fork in the container instead of a new `docker exec` (about 50 ms each). A request
# ends with a marker carrying a nonce and the exit code, on stdout and on stderr.
SERVER = (
    "NL='\n'\n"
    + "".join(_assign(name, script) for name, script in SCRIPTS.items())
    + r"""polos_start() { printf '\036%s:S\036' "$1" >&2; }
polos_done() { printf '\036%s:%s\036' "$1" "$2"; printf '\036%s:%s\036' "$1" "$2" >&2; }
while IFS= read -r polos_request; do eval "$polos_request"; done
"""
)
