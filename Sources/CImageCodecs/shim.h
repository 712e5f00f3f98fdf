#pragma once
/* CImageCodecs: libturbojpeg (TurboJPEG 2.1 API) and libpng 1.6 (simplified read API) for the Images target.
 * Only #includes and static inline getters for macros Swift cannot import; no logic (STYLE.md item 2). */
#include <stdio.h>
#include <turbojpeg.h>
#include <png.h>

/* libpng simplified API: version stamp and the output formats Images requests. */
static inline png_uint_32 cimg_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 cimg_png_format_flag_alpha(void) { return PNG_FORMAT_FLAG_ALPHA; }
static inline png_uint_32 cimg_png_format_flag_linear(void) { return PNG_FORMAT_FLAG_LINEAR; }
static inline png_uint_32 cimg_png_format_flag_color(void) { return PNG_FORMAT_FLAG_COLOR; }
static inline png_uint_32 cimg_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 cimg_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline png_uint_32 cimg_png_format_linear_y(void) { return PNG_FORMAT_LINEAR_Y; }
static inline png_uint_32 cimg_png_format_linear_y_alpha(void) { return PNG_FORMAT_LINEAR_Y_ALPHA; }
static inline png_uint_32 cimg_png_format_linear_rgb(void) { return PNG_FORMAT_LINEAR_RGB; }
static inline png_uint_32 cimg_png_format_linear_rgb_alpha(void) { return PNG_FORMAT_LINEAR_RGB_ALPHA; }
/* PNG_IMAGE_SIZE(image): bytes png_image_finish_read writes for image->format with the default stride. */
static inline size_t cimg_png_image_size(const png_image *image) { return PNG_IMAGE_SIZE(*image); }
