package aidtrace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community embedded with Bolt on 127.0.0.1 and nothing else.
 *
 * Usage: Launcher --home DIR --port N [--pagecache-mb N] [--tx-timeout-s N] [--password-file F]
 *
 * With --password-file, Bolt requires authentication, and the user neo4j's
 * password is set to the file's content (the Go side generates it and keeps
 * it readable by its owner only), so another local user cannot reach the
 * database over Bolt. Without it, authentication is off.
 *
 * It prints "AIDTRACE-NEO4J READY" on stdout once the database accepts work,
 * and shuts down cleanly when its standard input closes: the Go parent keeps
 * the pipe open, so when the parent exits for any reason (even SIGKILL or a
 * panic) the JVM follows it instead of being left behind.
 */
public final class Launcher {
    public static void main(String[] args) throws Exception {
        Path home = null;
        int port = 7687;
        long pageCacheMb = 256;
        long txTimeoutS = 60;
        Path passwordFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--home" -> { home = Path.of(v); i++; }
                case "--port" -> { port = Integer.parseInt(v); i++; }
                case "--pagecache-mb" -> { pageCacheMb = Long.parseLong(v); i++; }
                case "--tx-timeout-s" -> { txTimeoutS = Long.parseLong(v); i++; }
                case "--password-file" -> { passwordFile = Path.of(v); i++; }
                default -> {
                    System.err.println("aidtrace-neo4j: unknown argument " + a);
                    System.exit(2);
                }
            }
        }
        if (home == null) {
            System.err.println("aidtrace-neo4j: --home is required");
            System.exit(2);
        }

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                // Nothing else connects: do not wait 5s twice for idle Bolt threads at shutdown.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ZERO)
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ZERO)
                .setConfig(BoltConnectorInternalSettings.enable_local_connector, false)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutS))
                .setConfig(GraphDatabaseSettings.auth_enabled, passwordFile != null)
                .build();

        Thread stopper = new Thread(() -> {
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                System.err.println("aidtrace-neo4j: shutdown: " + t);
            }
        }, "aidtrace-neo4j-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);

        if (passwordFile != null) {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            try {
                // The embedded API is not subject to authentication.
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
            } catch (RuntimeException e) {
                // Neo4j refuses to set the password it has already.
                if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                    throw e;
                }
            }
        }

        // Touch the default database so READY means "queries will work".
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("AIDTRACE-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();

        // Block until the parent closes our stdin, then exit (the hook shuts down).
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // ignore input
            }
        } catch (IOException ignored) {
            // a broken pipe means the parent is gone
        }
        System.exit(0);
    }
}
