#!/bin/sh
# Renders each template under the template folder into the output folder with envsubst, keeping
# its relative path and dropping the suffix: templates/sluice.conf.template → conf.d/sluice.conf.
# Only variables that are set in the environment are replaced, and only those whose names match
# the extended regular expression NGINX_ENVSUBST_FILTER when it is set; every other $name,
# nginx's own $host or $request_id above all, is left as written.
set -eu

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$0: $output_dir is not writable; templates not rendered" >&2
  exit 0
fi

# envsubst's SHELL-FORMAT argument: "${A} ${B} …" for the names that qualify. awk reads names from
# its ENVIRON, so values with newlines or "=" cannot confuse the list.
variables=$(awk -v filter="$filter" 'BEGIN {
  for (name in ENVIRON) if (filter == "" || name ~ filter) printf "${%s} ", name
}')

find "$template_dir" -follow -type f -name "*$suffix" | sort | while read -r template; do
  relative="${template#"$template_dir"/}"
  output="$output_dir/${relative%"$suffix"}"
  mkdir -p "$(dirname "$output")"
  echo "$0: rendering $template to $output"
  envsubst "$variables" <"$template" >"$output"
done
