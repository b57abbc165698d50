"""policy-decision: joins each post with both stages' results, applies the policy, emits one decision."""
