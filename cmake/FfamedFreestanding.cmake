# FFAMED_FREESTANDING=ON: only the mediator core, built for a bare-metal
# hypervisor with no libc (docs/PORTING.md, "Linking the core"). The library
# needs from the host only memcpy, memmove, memset and memcmp (and whatever
# compiler support routines the target's compiler emits); the CI check
# scripts/check-freestanding-lib.sh holds it to that.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  # EL2 must not touch the guest's FP/SIMD registers, may run with the MMU
  # off (Device memory: no unaligned accesses); atomics inline.
  set(ffamed_fs_default "-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only -mstrict-align -mno-outline-atomics")
else()
  set(ffamed_fs_default "-ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector")
endif()
set(FFAMED_FREESTANDING_FLAGS "${ffamed_fs_default}" CACHE STRING
    "Compiler flags of the freestanding core")
separate_arguments(ffamed_fs_flags UNIX_COMMAND "${FFAMED_FREESTANDING_FLAGS}")

file(GLOB ffamed_fs_srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/mediator/*.c)
add_library(ffamed_core_freestanding STATIC ${ffamed_fs_srcs})
target_include_directories(ffamed_core_freestanding PRIVATE ${PROJECT_SOURCE_DIR}/include
                           ${PROJECT_SOURCE_DIR}/src/mediator ${PROJECT_SOURCE_DIR}/src/common)
target_include_directories(ffamed_core_freestanding INTERFACE ${FFAMED_INCLUDE_DIRS})
target_compile_definitions(ffamed_core_freestanding PRIVATE FFAMED_BUILDING
                           INTERFACE ${FFAMED_CONFIG_DEFINITIONS})
target_compile_options(ffamed_core_freestanding PRIVATE ${ffamed_fs_flags})
set_target_properties(ffamed_core_freestanding PROPERTIES OUTPUT_NAME ffamed-freestanding
                      EXPORT_NAME freestanding POSITION_INDEPENDENT_CODE OFF
                      C_VISIBILITY_PRESET hidden)
ffamed_target_flags(ffamed_core_freestanding)
add_library(ffamed::freestanding ALIAS ffamed_core_freestanding)
list(APPEND FFAMED_EXPORT_TARGETS ffamed_core_freestanding)
