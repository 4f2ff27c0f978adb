import Foundation

/// The demo's plan: the example plan's four phases with durations of hours instead of weeks, automatic
/// promotion, and the seed's rollback triggers.
public enum DemoPlan {
    public static let yaml = """
        # The demo plan of `liftoff demo`: the seed's four phases compressed to hours, promoted automatically.
        rollout: ai-tutor-demo
        pricePoint: 12
        config: { model: gpt-4o-mini, promptProfile: standard, maxTokens: 1024 }
        pricing:
          gpt-4o-mini: { input: 0.15, output: 0.60 }
        dimensions:
          feature: { maxValues: 20 }
          model: { maxValues: 10 }
          skillLevel: { maxValues: 5 }
          region: { maxValues: 20 }
        phases:
          - name: internal
            plannedDuration: 3h
            audience:
              groups:
                developers: [dev-1, dev-2, dev-3, dev-4, dev-5]
                content-creators: [content-1, content-2, content-3]
                education-specialists: [edu-1, edu-2]
            exit:
              minDuration: 2h
              promotion: auto
              criteria:
                - { metric: response_time.p95, below: 3000, minSamples: 100 }
                - { metric: error_rate, below: 0.02, minSamples: 300 }
                - { metric: ai_response_relevance, above: 0.90, minSamples: 50 }
                - { metric: critical_security_issues, atMost: 0 }
          - name: alpha
            plannedDuration: 4h
            audience: { invite: { min: 20, max: 30 } }
            exit:
              minDuration: 3h
              promotion: auto
              criteria:
                - { metric: response_time.p95, below: 3000, minSamples: 200 }
                - { metric: error_rate, below: 0.02, minSamples: 500 }
                - { metric: ai_response_relevance, above: 0.90, minSamples: 100 }
                - { metric: user_satisfaction, atLeast: 4.0, minSamples: 30 }
                - { metric: critical_security_issues, atMost: 0 }
          - name: beta
            plannedDuration: 6h
            audience: { waitlist: { cap: 200, batch: 25, min: 100 } }
            exit:
              minDuration: 4h
              promotion: auto
              criteria:
                - { metric: response_time.p95, below: 3000, window: 1h, minSamples: 500 }
                - { metric: error_rate, below: 0.02, window: 1h, minSamples: 1000 }
                - { metric: ai_response_relevance, above: 0.90, window: 1h, minSamples: 200 }
                - { metric: user_satisfaction, atLeast: 4.0, window: 1h, minSamples: 100 }
                - { metric: critical_security_issues, atMost: 0 }
                - { metric: data_inconsistencies, atMost: 0 }
          - name: full
            audience: { percentage: 100 }
        rollback:
          - { trigger: error_rate, threshold: 0.05 }
          - { trigger: response_time.p95, threshold: 5000 }
          - { trigger: critical_security_issues, threshold: 0 }
          - { trigger: data_inconsistencies, threshold: 0 }
        """
}
