FROM debian:bookworm-slim
ENV PHP_VERSION=8.3.14 \
    PHP_URL="https://www.php.net/distributions/php-8.3.14.tar.xz" \
    PHP_SHA256="58b4cb9019bf70c0cbcdb814c7df79b9065059d14cf7dbf48d971f8e56ae9be7"
RUN set -eux; \
    \
    savedAptMark="$(apt-mark showmanual)"; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        autoconf \
        dpkg-dev \
        file \
        g++ \
        gcc \
        libc-dev \
        make \
        pkg-config \
        re2c \
    ; \
    rm -rf /var/lib/apt/lists/*; \
    \
    mkdir -p /usr/src/php; \
    cd /usr/src/php; \
    curl -fsSL -o php.tar.xz "$PHP_URL"; \
    echo "$PHP_SHA256 *php.tar.xz" | sha256sum -c -; \
    tar -xf php.tar.xz --strip-components=1; \
    ./configure --with-config-file-path=/usr/local/etc/php; \
    make -j "$(nproc)"; \
    make install; \
    apt-mark auto '.*' > /dev/null; \
    [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false
COPY docker-php-entrypoint /usr/local/bin/
ENTRYPOINT ["docker-php-entrypoint"]
WORKDIR /var/www/html
EXPOSE 9000
CMD ["php-fpm"]
