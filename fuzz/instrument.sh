# Sourced by fuzz/run.sh and fuzz/libfuzzer.sh (from the repository root, with $bin and $target set):
# publishes fuzz/BgpKit.Fuzz to $bin and instruments our assemblies and YamlDotNet with SharpFuzz,
# again only when a source changed (an instrumented assembly cannot be instrumented twice).
stamp=$(find fuzz/BgpKit.Fuzz src \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.csproj' \) -print \
  | sort | xargs cat | sha256sum | cut -c1-32)
if [ ! -f "$bin/.instrumented" ] || [ "$(cat "$bin/.instrumented")" != "$stamp" ]; then
  rm -rf "$bin"
  dotnet publish fuzz/BgpKit.Fuzz -c Release -o "$bin" -nologo -clp:ErrorsOnly >/dev/null
  # A new harness starts from its hand-built seeds (written before instrumenting: instrumented code runs only under a fuzzer).
  if [ -z "$(ls -A "fuzz/corpus/$target" 2>/dev/null)" ]; then
    dotnet "$bin/BgpKit.Fuzz.dll" seed-corpus "$target"
  fi
  dotnet tool restore >/dev/null
  for dll in Bgp.Wire Bfd MetalLb.Model MetalLb.Kubernetes YamlDotNet; do
    dotnet sharpfuzz "$bin/$dll.dll" >/dev/null
  done
  echo "$stamp" > "$bin/.instrumented"
fi
