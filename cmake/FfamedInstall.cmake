# Install rules: headers, the libraries with their exported CMake targets
# (find_package(ffamed)), and pkg-config files that are right at any prefix.
set(ffamed_core_headers config.h export.h ffa.h ffa_regs.h mediator.h port.h regs.h version.h)
set(ffamed_devkit_headers client.h port_posix.h sim.h sp_builtin.h spmc.h trace.h)
set(hdrs ${ffamed_core_headers})
if(FFAMED_BUILD_DEVKIT)
  list(APPEND hdrs ${ffamed_devkit_headers})
endif()
list(TRANSFORM hdrs PREPEND ${PROJECT_SOURCE_DIR}/include/ffamed/)
install(FILES ${hdrs} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ffamed)

install(TARGETS ${FFAMED_EXPORT_TARGETS} EXPORT ffamedTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(ffamed_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/ffamed)
install(EXPORT ffamedTargets NAMESPACE ffamed:: DESTINATION ${ffamed_cmakedir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ffamedConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ffamedConfig.cmake
                              INSTALL_DESTINATION ${ffamed_cmakedir})
# 0.x: a new minor version may break the ABI (docs/ABI.md).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ffamed_compat SameMinorVersion)
else()
  set(ffamed_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ffamedConfigVersion.cmake
                                 COMPATIBILITY ${ffamed_compat})
install(FILES ${PROJECT_BINARY_DIR}/ffamedConfig.cmake
        ${PROJECT_BINARY_DIR}/ffamedConfigVersion.cmake DESTINATION ${ffamed_cmakedir})

# pkg-config: the prefix is found from the .pc file's own place
# (${pcfiledir}), so `cmake --install --prefix P` and DESTDIR both work.
set(ffamed_pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(FFAMED_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
  set(FFAMED_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
else()
  file(RELATIVE_PATH rel /root/${ffamed_pcdir} /root)
  string(REGEX REPLACE "/$" "" rel "${rel}")
  set(FFAMED_PC_PREFIX "\${pcfiledir}/${rel}")
  set(FFAMED_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_INCLUDEDIR})
  set(FFAMED_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
else()
  set(FFAMED_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(FFAMED_PC_CFLAGS "")
foreach(d ${FFAMED_CONFIG_DEFINITIONS})
  string(APPEND FFAMED_PC_CFLAGS " -D${d}")
endforeach()
if(FFAMED_FREESTANDING)
  set(pcs ffamed-freestanding)
else()
  set(pcs ffamed)
  if(FFAMED_BUILD_DEVKIT)
    list(APPEND pcs ffamed-devkit)
  endif()
endif()
foreach(pc ${pcs})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${ffamed_pcdir})
endforeach()
