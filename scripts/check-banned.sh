#!/bin/sh
# STYLE.md section 8: functions banned from the project's C sources.
set -u
banned='gets|strcpy|strcat|sprintf|vsprintf|strncpy|strtok|atoi|atol|atof|tmpnam|mktemp|rand|srand|alloca|system'
hits=$(grep -nE "(^|[^A-Za-z0-9_.>])($banned)[[:space:]]*\(" \
	$(find libcommon tools tests bench scripts -name '*.[ch]' 2>/dev/null) |
	grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
	echo "banned functions used:" >&2
	echo "$hits" >&2
	exit 1
fi
exit 0
