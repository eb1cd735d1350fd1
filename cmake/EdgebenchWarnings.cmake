# Warnings for edgebench's own targets only; third-party headers come in as SYSTEM includes.
function(edgebench_warnings target)
  # -Wshadow=local is GCC's; clang (the fuzz build) has no such option and would warn about it.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
endfunction()
