# Warnings for edgebench's own targets only; third-party headers come in as SYSTEM includes.
function(edgebench_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
endfunction()
