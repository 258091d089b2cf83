"""The partner tools: the one client of the service API and the commands built on it.

``client`` (the service API client), ``up`` and ``up_banner`` (``cata-sandbox up``), ``trigger`` and
``trigger_command``, ``check_receiver/``, ``listen``, ``webhook_commands``, ``fake_orders``, ``options``
(shared CLI options) and ``output`` (every printed table). The server never imports this package.
"""
