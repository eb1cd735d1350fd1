# `cmake --install` puts headers, the shared library, the executables and a package config in place so
# that `find_package(edgebench)` followed by `target_link_libraries(app edgebench::edgebench)` works.
include(CMakePackageConfigHelpers)

set(EDGEBENCH_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/edgebench")

install(TARGETS edgebench EXPORT edgebenchTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET edgebench_torch)
  # Loaded by the library at run time from its own folder; nothing links it.
  install(TARGETS edgebench_torch LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(DIRECTORY include/edgebench DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${PROJECT_BINARY_DIR}/generated/edgebench/version.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/edgebench)
# The built-in detector's model, where the `builtin` backend looks for it relative to the library.
install(DIRECTORY models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/edgebench/models FILES_MATCHING PATTERN "*.pt")
install(EXPORT edgebenchTargets NAMESPACE edgebench:: DESTINATION ${EDGEBENCH_CMAKE_DIR})

configure_package_config_file(cmake/edgebenchConfig.cmake.in
  "${PROJECT_BINARY_DIR}/edgebenchConfig.cmake" INSTALL_DESTINATION ${EDGEBENCH_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/edgebenchConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/edgebenchConfig.cmake"
              "${PROJECT_BINARY_DIR}/edgebenchConfigVersion.cmake"
        DESTINATION ${EDGEBENCH_CMAKE_DIR})
