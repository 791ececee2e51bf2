# Cross build for aarch64 Linux with Debian's gcc-aarch64-linux-gnu; tests run
# under qemu-user (qemu-aarch64) through CMAKE_CROSSCOMPILING_EMULATOR.
# cmocka for arm64 is unpacked (not installed) into a sysroot by
# scripts/apt-fetch.sh; its location: FFAMED_AARCH64_SYSROOT (environment),
# default build-aarch64/sysroot in the source tree.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)

if(DEFINED ENV{FFAMED_AARCH64_SYSROOT})
  set(FFAMED_AARCH64_SYSROOT $ENV{FFAMED_AARCH64_SYSROOT})
else()
  get_filename_component(FFAMED_AARCH64_SYSROOT ${CMAKE_CURRENT_LIST_DIR}/../build-aarch64/sysroot
                         ABSOLUTE)
endif()
set(ENV{PKG_CONFIG_LIBDIR} ${FFAMED_AARCH64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig)
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${FFAMED_AARCH64_SYSROOT})
set(ENV{PKG_CONFIG_PATH} "")
# The loader finds the unpacked libcmocka.so.0 through the rpath; libc comes
# from the cross libc (qemu-aarch64 -L).
set(CMAKE_BUILD_RPATH ${FFAMED_AARCH64_SYSROOT}/usr/lib/aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/usr/aarch64-linux-gnu)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${FFAMED_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
