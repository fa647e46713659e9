package dev.vboost.tools.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code --metrics ADDRESS:PORT}: a Prometheus text endpoint at {@code http://ADDRESS:PORT/metrics} with its own
 * registry (nothing else the JVM registers leaks into it). Off unless asked for; bind to loopback or a
 * management address, never to the guests' network.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final InetAddress address;

    private MetricsEndpoint(HTTPServer server, InetAddress address) {
        this.server = server;
        this.address = address;
    }

    /** An address and port as given on the command line. */
    public record HostPort(String host, int port) {
    }

    /** Host and port of {@code ADDRESS:PORT} ({@code [v6]:port} for IPv6); an exception names what is wrong. */
    public static HostPort parse(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("'" + spec + "' is not ADDRESS:PORT (e.g. 127.0.0.1:9464)");
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': port '" + spec.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("'" + spec + "': port " + port + " is outside 0..65535");
        }
        return new HostPort(host, port);
    }

    /** Starts serving {@code metrics} at {@code spec} (port 0: any free port, see {@link #port()}). */
    public static MetricsEndpoint start(String spec, AgentMetrics metrics) throws IOException {
        HostPort hp = parse(spec);
        InetAddress address;
        try {
            address = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + spec + "': unknown address " + hp.host());
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        HTTPServer server = HTTPServer.builder().inetAddress(address).port(hp.port()).registry(registry)
                .buildAndStart();
        return new MetricsEndpoint(server, address);
    }

    public int port() {
        return server.getPort();
    }

    /** {@code http://ADDRESS:PORT/metrics}. */
    public String url() {
        String host = address.getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/metrics";
    }

    @Override
    public void close() {
        server.close();
    }
}
