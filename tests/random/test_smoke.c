/* test_smoke.c — first link-and-run check of rng/dist/stat (no statistics). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "fab/dist.h"
#include "fab/stat.h"

START_TEST(smoke)
{
    fab_rng r;
    fab_rng_init(&r, 42, "press", "cycle", 0);
    fab_stat_tally t;
    fab_stat_tally_reset(&t);
    for (int i = 0; i < 1000; i++)
        fab_stat_tally_add(&t, fab_dist_exponential(&r, 2.0));
    ck_assert(fabs(fab_stat_tally_mean(&t) - 2.0) < 0.5);
    ck_assert(fabs(fab_stat_t_quantile(0.975, 9) - 2.2622) < 1e-4);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smoke");
    TCase *tc = tcase_create("smoke");
    tcase_add_test(tc, smoke);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
