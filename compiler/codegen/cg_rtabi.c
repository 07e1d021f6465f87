/*
 * cg_rtabi.c — fills cg_rtabi.h from libfabrt's public headers (see there for why).
 * Includes no compiler header; owns no memory.
 */
#include "cg_rtabi.h"

#include <stdalign.h>
#include <stddef.h>

#include "fab/fab.h"

const size_t cg_rt_sampler_size = sizeof(fab_sampler);
const size_t cg_rt_sampler_align = alignof(fab_sampler);
const size_t cg_rt_sampler_fn_off = offsetof(fab_sampler, fn);
const size_t cg_rt_sampler_ctx_off = offsetof(fab_sampler, ctx);
const size_t cg_rt_part_created_off = offsetof(fab_part, created);
const size_t cg_rt_part_type_off = offsetof(fab_part, type);
const size_t cg_rt_part_attr_off = offsetof(fab_part, attr);

const size_t cg_rt_dist_size = sizeof(fab_dist);
const size_t cg_rt_dist_kind_off = offsetof(fab_dist, kind);
const size_t cg_rt_dist_p_off = offsetof(fab_dist, p);
const size_t cg_rt_cli_size = sizeof(fab_cli);
const size_t cg_rt_cli_help_off = offsetof(fab_cli, help);

const int cg_rt_dim_none = FAB_DIM_NONE, cg_rt_dim_count = FAB_DIM_COUNT,
          cg_rt_dim_time = FAB_DIM_TIME, cg_rt_dim_length = FAB_DIM_LENGTH,
          cg_rt_dim_speed = FAB_DIM_SPEED, cg_rt_dim_accel = FAB_DIM_ACCEL,
          cg_rt_dim_mass = FAB_DIM_MASS, cg_rt_dim_power = FAB_DIM_POWER,
          cg_rt_dim_energy = FAB_DIM_ENERGY, cg_rt_dim_temperature = FAB_DIM_TEMPERATURE,
          cg_rt_dim_thermal_capacity = FAB_DIM_THERMAL_CAPACITY,
          cg_rt_dim_thermal_resistance = FAB_DIM_THERMAL_RESISTANCE,
          cg_rt_dim_rate = FAB_DIM_RATE, cg_rt_dim_money = FAB_DIM_MONEY,
          cg_rt_dim_any = FAB_DIM_ANY;

const int cg_rt_order_fifo = FAB_ORDER_FIFO, cg_rt_order_lifo = FAB_ORDER_LIFO;
const int cg_rt_basis_operating = FAB_BASIS_OPERATING, cg_rt_basis_calendar = FAB_BASIS_CALENDAR,
          cg_rt_basis_cycles = FAB_BASIS_CYCLES;
const int cg_rt_on_block_queue = FAB_ON_BLOCK_QUEUE, cg_rt_on_block_lose = FAB_ON_BLOCK_LOSE;
const int cg_rt_state_count = FAB_STATE__COUNT;
const int cg_rt_truncate_max_tries = FAB_TRUNCATE_MAX_TRIES;

/* The code generator passes the checked model's state index straight to fab_station_power
 * and compares state(x) results with it: the orders must agree (compiler/model.h lists
 * idle, busy, blocked, setup, down). */
_Static_assert(FAB_STATE_IDLE == 0 && FAB_STATE_BUSY == 1 && FAB_STATE_BLOCKED == 2 &&
               FAB_STATE_SETUP == 3 && FAB_STATE_DOWN == 4 && FAB_STATE__COUNT == 5,
               "fab_state order differs from the checked model's fm_state order");
_Static_assert(offsetof(fab_sampler, fn) == 0 && offsetof(fab_sampler, ctx) == sizeof(void *),
               "fab_sampler does not start with {fn, ctx}: cg_model.c builds it as such");
_Static_assert(FAB_BOUND_NONE == 0 && sizeof(fab_dist_kind) == sizeof(int) &&
               sizeof(((fab_dist *)0)->p) == 4 * sizeof(double) &&
               sizeof(((fab_cli *)0)->help) == sizeof(int),
               "fab_dist / fab_cli differ from what cg_model.c's --set check assumes");
_Static_assert(sizeof(((fab_part *)0)->type) == 4, "fab_part.type is not 32 bits");
_Static_assert(sizeof(fab_dim) == sizeof(int) && sizeof(fab_order) == sizeof(int) &&
               sizeof(fab_basis) == sizeof(int) && sizeof(fab_on_block) == sizeof(int) &&
               sizeof(fab_state) == sizeof(int) && sizeof(fab_kind) == sizeof(int),
               "libfabrt enums are not int-sized");
