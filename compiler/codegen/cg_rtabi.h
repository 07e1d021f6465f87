/*
 * cg_rtabi.h — the facts about libfabrt's C ABI that generated code depends on: the size of
 * fab_sampler, field offsets of fab_part, and enum values, as plain integers.
 *
 * Why a separate file: the compiler's checked model (compiler/model.h) and libfabrt's model
 * builder (fab/model.h) both name their main type fab_model, so no translation unit includes
 * both. cg_rtabi.c includes only libfabrt's headers and fills these constants (and checks,
 * at compile time, that the enums the code generator maps one to one really agree).
 * Not handled: targets whose ABI differs from the host fabc was compiled for.
 */
#ifndef FAB_CG_RTABI_H
#define FAB_CG_RTABI_H

#include <stddef.h>

extern const size_t cg_rt_sampler_size;     /* sizeof(fab_sampler) */
extern const size_t cg_rt_sampler_align;    /* _Alignof(fab_sampler) */
extern const size_t cg_rt_sampler_fn_off;   /* offsetof(fab_sampler, fn) */
extern const size_t cg_rt_sampler_ctx_off;  /* offsetof(fab_sampler, ctx) */
extern const size_t cg_rt_part_created_off; /* offsetof(fab_part, created) */
extern const size_t cg_rt_part_type_off;    /* offsetof(fab_part, type), an int32_t */
extern const size_t cg_rt_part_attr_off;    /* offsetof(fab_part, attr) */

extern const size_t cg_rt_dist_size;       /* sizeof(fab_dist) */
extern const size_t cg_rt_dist_kind_off;   /* offsetof(fab_dist, kind), an int-sized enum */
extern const size_t cg_rt_dist_p_off;      /* offsetof(fab_dist, p), double[4] */
extern const size_t cg_rt_cli_size;        /* sizeof(fab_cli) */
extern const size_t cg_rt_cli_help_off;    /* offsetof(fab_cli, help), an int */

/* fab_dim values */
extern const int cg_rt_dim_none, cg_rt_dim_count, cg_rt_dim_time, cg_rt_dim_length,
    cg_rt_dim_speed, cg_rt_dim_accel, cg_rt_dim_mass, cg_rt_dim_power, cg_rt_dim_energy,
    cg_rt_dim_temperature, cg_rt_dim_thermal_capacity, cg_rt_dim_thermal_resistance,
    cg_rt_dim_rate, cg_rt_dim_money, cg_rt_dim_any;

/* fab_order, fab_basis, fab_on_block values */
extern const int cg_rt_order_fifo, cg_rt_order_lifo;
extern const int cg_rt_basis_operating, cg_rt_basis_calendar, cg_rt_basis_cycles;
extern const int cg_rt_on_block_queue, cg_rt_on_block_lose;
extern const int cg_rt_state_count; /* FAB_STATE__COUNT; states are in the model's order */
extern const int cg_rt_truncate_max_tries;

#endif
