# Warnings for edgebench's own targets only; third-party headers come in as SYSTEM includes.
function(edgebench_warnings target)
  # -Wshadow=local is GCC's; clang (the fuzz build) has no such option and would warn about it.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                           -Wnon-virtual-dtor -Wno-missing-field-initializers)
  # In a unity build GCC sees each .cpp file as a header of the batch file, and warns about every class
  # that uses a type of the file's anonymous namespace, which is exactly what an anonymous namespace is for.
  if(CMAKE_UNITY_BUILD)
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
  endif()
endfunction()
