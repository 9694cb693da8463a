"""The offline provider: stand-ins for a model's answers, so every surface works with no model.

:class:`~learnpath.offline.provider.OfflineProvider` answers each agent with
:func:`~learnpath.offline.answers.offline_output`, built from the agent's structured input and
the topic knowledge in ``data/`` (:mod:`~learnpath.offline.knowledge`); what it writes is
labelled offline (docs/contract.md §8).
"""
