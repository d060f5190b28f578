# bench/nginx.sh, sourced by bench scripts: start_nginx SCHEME starts nginx
# with one worker process on a free loopback port (`return 200 "ok"`,
# HTTP/1.1 keep-alive), so that the target leaves the generator a core. For
# https it serves a self-signed certificate for 127.0.0.1, whose file is
# $NGINX_CERT. It sets NGINX_URL, and stops nginx when the script exits.
# nginx comes from Debian's packages when missing (apt-get, as root). Needs
# $OUT (a work directory) and say().

nginx_pids=()
stop_nginx() { for pid in "${nginx_pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_nginx EXIT

start_nginx() { # SCHEME
	local scheme=$1 dir="$OUT/nginx-$1" listen tls="" port
	if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
		say "installing nginx through Debian's packages"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >"$OUT/install-nginx.log" 2>&1
	fi
	mkdir -p "$dir"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	listen="127.0.0.1:$port"
	if [ "$scheme" = https ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
		listen="$listen ssl"
		tls="ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem;"
		NGINX_CERT="$dir/cert.pem"
	fi
	cat >"$dir/nginx.conf" <<-CONF
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log $dir/error.log;
		events { worker_connections 16384; }
		http {
			access_log off;
			keepalive_requests 1000000;
			server { listen $listen; $tls location / { return 200 "ok"; } }
		}
	CONF
	"$(command -v nginx || echo /usr/sbin/nginx)" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' &
	nginx_pids+=($!)
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.05
	done
	NGINX_URL="$scheme://127.0.0.1:$port"
}
