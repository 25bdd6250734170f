"""Unit tests of the PromQL name extraction (python3 -m unittest, from this directory)."""

import unittest

from promql import PromQLError, exported_names, metric_names, unknown_names

EXPOSITION = """\
# HELP http_request_duration_seconds HTTP request duration
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/a",le="0.1"} 3
http_request_duration_seconds_sum{route="/a"} 0.2
http_request_duration_seconds_count{route="/a"} 3
# TYPE execution_queue_depth gauge
execution_queue_depth 0
# TYPE rating_consumer_lag gauge
rating_consumer_lag 4
"""


class MetricNames(unittest.TestCase):
    def test_functions_grouping_matchers_and_durations(self):
        expr = (
            'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket'
            '{job="codearena",route!~"/metrics|/healthz",status=~"5.."}[5m]))) > 1'
        )
        self.assertEqual(metric_names(expr), {"http_request_duration_seconds_bucket"})

    def test_binary_operators_keywords_and_offsets(self):
        expr = (
            "max(execution_queue_depth{job=\"codearena\"}) > 0 and "
            "sum without (instance) (rate(execution_jobs_total[10m] offset 1h)) == bool 0 "
            "or on (service) group_left (pod) rating_consumer_lag unless vector(1e3)"
        )
        self.assertEqual(
            metric_names(expr),
            {"execution_queue_depth", "execution_jobs_total", "rating_consumer_lag"},
        )

    def test_aggregation_with_trailing_grouping_and_grafana_variables(self):
        expr = "sum(rate(realtime_events_emitted_total[$__rate_interval])) by (instance) * 60"
        self.assertEqual(metric_names(expr), {"realtime_events_emitted_total"})
        self.assertEqual(metric_names("topk(5, battle_battles) / ${scale}"), {"battle_battles"})

    def test_absent_and_name_matcher(self):
        expr = 'absent(up{job="codearena",service="auth"}) or {__name__="rating_outbox_pending"}'
        self.assertEqual(metric_names(expr), {"up", "rating_outbox_pending"})

    def test_strings_with_braces_and_parentheses_are_not_names(self):
        expr = 'label_replace(battle_queue_size, "x", "$1 (not_a_metric)", "mode", "(.*)")'
        self.assertEqual(metric_names(expr), {"battle_queue_size"})

    def test_subquery(self):
        expr = "max_over_time(rate(battle_matches_total[5m])[1h:1m])"
        self.assertEqual(metric_names(expr), {"battle_matches_total"})

    def test_unbalanced(self):
        with self.assertRaises(PromQLError):
            metric_names("sum(rate(x[5m])")


class Comparison(unittest.TestCase):
    def test_exported_and_histogram_parts(self):
        exported = exported_names(EXPOSITION)
        used = metric_names(
            "histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))"
            " + http_request_duration_seconds_count + max(execution_queue_depth) + up"
        )
        self.assertEqual(unknown_names(used, exported), set())

    def test_a_name_not_exported_fails(self):
        exported = exported_names(EXPOSITION)
        used = metric_names("max(execution_queue_age_seconds) > 60 or rating_consumer_lag > 1")
        self.assertEqual(unknown_names(used, exported), {"execution_queue_age_seconds"})

    def test_suffix_only_counts_for_a_histogram(self):
        # `_count` of a gauge that is not exported is not excused by the gauge's name.
        exported = exported_names(EXPOSITION)
        self.assertEqual(
            unknown_names({"rating_consumer_lag_count"}, exported), {"rating_consumer_lag_count"}
        )


if __name__ == "__main__":
    unittest.main()
