#!/bin/sh
# S3Proxy's properties from the environment, the way the official image maps them; port 80 as a non-root user
# works because Docker opens unprivileged ports from 0 inside a container.
set -eu
echo "s3proxy ${S3PROXY_VERSION:-?}"
props=/opt/s3proxy/s3proxy.conf
cat > "$props" <<CONF
s3proxy.endpoint=http://0.0.0.0:80
s3proxy.authorization=${S3PROXY_AUTHORIZATION:-aws-v2-or-v4}
s3proxy.identity=${S3PROXY_IDENTITY:-local-identity}
s3proxy.credential=${S3PROXY_CREDENTIAL:-local-credential}
jclouds.provider=${JCLOUDS_PROVIDER:-filesystem}
jclouds.identity=${S3PROXY_IDENTITY:-local-identity}
jclouds.credential=${S3PROXY_CREDENTIAL:-local-credential}
jclouds.filesystem.basedir=${JCLOUDS_FILESYSTEM_BASEDIR:-/data}
CONF
exec java ${JAVA_OPTS:-} -jar /opt/s3proxy/s3proxy.jar --properties "$props"
