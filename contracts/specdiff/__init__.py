"""The spec drift report: our contract against a published OpenAPI document.

The pipeline, one module per stage::

    documents   read both sides: the Jobs operations, $refs inlined, 3.0 folded into 3.1 form
    canonical   each response schema in one canonical form (no difference without meaning)
    compare     operation by operation, member by member -> changes, grouped across places
    classify    breaking / not breaking; decided (schemas/decisions.yaml); accepted (--accept)
    cases       what a change would change: recorded cases the published spec judges otherwise
    report      text, JSON, Markdown
    findings    the stages in order: spec_diff() -> SpecDiff (Difference, summary)
    command     pcm-contracts spec-diff: parse -> run -> exit code

Nothing is imported here, so that the other commands do not pay for this
one: ``contracts.spec_diff`` and ``pcm-contracts spec-diff`` import the
stages when they run.
"""
