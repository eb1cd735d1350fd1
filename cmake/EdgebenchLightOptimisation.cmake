# Test programs and the pybind11 glue spend their time in libedgebench, not in their own code, and at -O3
# they are the slowest files of the build (template-heavy GoogleTest and pybind11 code): -O1 compiles them
# about 40 % faster. The library, the programs and the benchmarks keep the build type's optimisation.
function(edgebench_light_optimisation target)
  target_compile_options(${target} PRIVATE $<$<CONFIG:Release,RelWithDebInfo>:-O1>)
endfunction()
