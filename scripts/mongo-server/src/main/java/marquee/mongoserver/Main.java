package marquee.mongoserver;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Main runs mongo-java-server's in-memory backend on HOST:PORT (arguments,
 * default 127.0.0.1 27517) for marquee's tests. It reports MongoDB 5.0.0 with
 * wire version 13: the stock ServerVersion.MONGO_5_0 says wire version 8,
 * which mongo-driver/v2 (v2.9 and later) refuses. It runs until killed.
 */
public final class Main {

    /** Mongo50 is MongoDB 5.0.0 as mongo-driver/v2 expects it (wire version 13). */
    enum Mongo50 implements MongoVersion {
        INSTANCE;

        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    }

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 27517;

        MongoServer server = new MongoServer(new MemoryBackend().version(Mongo50.INSTANCE));
        server.bind(host, port);
        System.out.println("marquee-mongo-server: listening on " + host + ":" + port
                + " (MongoDB " + Mongo50.INSTANCE.toVersionString()
                + ", wire version " + Mongo50.INSTANCE.getWireVersion() + ")");

        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            done.countDown();
        }, "shutdown"));
        done.await();
    }
}
