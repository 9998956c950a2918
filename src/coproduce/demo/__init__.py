"""The demo community: a realistic time bank built from a seed, for trying Coproduce out and for
benchmarks. `builder.demo_build` is the entry point; `coproduce demo` and the first run of
`coproduce serve` call it."""
