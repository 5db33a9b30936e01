#!/bin/sh
# The default user from the environment (as the official image takes it), reachable from other containers.
set -eu
echo "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')"
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
CONF
# The server itself, not Debian's wrapper in /usr/sbin, which sends its output to files under /var/log/rabbitmq:
# a container's log is its standard output (RABBITMQ_LOGS=-).
exec /usr/lib/rabbitmq/bin/rabbitmq-server
