/*
 * mm1_capi.c — examples/mm1.fab written by hand against libfabrt's C API, with fab_dist
 * samplers instead of compiled ones. The e2e test `capi_equivalence` runs it and the
 * simulator fabc generates from mm1.fab with the same arguments and requires identical JSON
 * (apart from wall time): the op table, the specialised samplers and the parameter blocks
 * must reproduce the runtime's own sampling bit for bit.
 * Owns nothing beyond the model, which fab_main frees.
 */
#include "fab/fab.h"

int main(int argc, char **argv)
{
    fab_model *m = fab_model_new("M/M/1");
    fab_model_horizon(m, 2000 * 3600.0);
    fab_model_warmup(m, 100 * 3600.0);
    fab_model_replications(m, 10);
    fab_model_seed(m, 1);
    int job = fab_model_part_type(m, "Job");
    int arrivals = fab_source_new(m, "arrivals", job);
    int queue = fab_buffer_new(m, "queue", FAB_CAPACITY_INF);
    int server = fab_station_new(m, "server");
    int done = fab_sink_new(m, "done");
    fab_source_interarrival(m, arrivals, fab_sampler_of_dist(fab_dist_exp(60.0)));
    fab_station_cycle(m, server, fab_sampler_of_dist(fab_dist_exp(48.0)));
    fab_flow(m, arrivals, queue);
    fab_flow(m, queue, server);
    fab_flow(m, server, done);
    return fab_main(m, argc, argv);
}
