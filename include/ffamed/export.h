/* SPDX-License-Identifier: MIT */
/*
 * FFAMED_API marks the functions the shared libraries export: they are built
 * with hidden visibility, so everything else stays inside them (checked
 * against scripts/exports.txt by scripts/check-exports.sh).
 */
#ifndef FFAMED_EXPORT_H
#define FFAMED_EXPORT_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FFAMED_API __attribute__((visibility("default")))
#else
#define FFAMED_API
#endif

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_EXPORT_H */
