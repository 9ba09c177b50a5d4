package io.salvo.compose;

import io.salvo.client.consumer.ConsumeFromWhere;
import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of {@code tests/compose/compose-test.sh}'s fault run: sync senders send numbered messages at a steady rate
 * for {@code seconds} while a push consumer (a new group, from the first offset) consumes the same topic in this JVM;
 * the script stops containers meanwhile. Then it waits up to {@code wait-s} for every acknowledged message to be
 * consumed and prints one {@code RESULT} line. Exit code 0 only if nothing acknowledged is missing.
 *
 * <pre>
 *   FaultLoad address=127.0.0.1:9876;127.0.0.1:9877;127.0.0.1:9878 topic=T group=G seconds=90 rate=200 threads=4 wait-s=120
 * </pre>
 * Before that, one message is sent until it is acknowledged (the topic is created by its first send; a cold
 * cluster's first sends may time out), and only then does the consumer start and the timed run begin.
 * Prints {@code SENDING} once the first send is acknowledged and a {@code progress} line every 5 s (sent, acked,
 * failed sends, consumed, the longest time without any acknowledgement so far). A failed send (timeout, broker
 * gone) is not acknowledged: it may or may not be stored, and is not counted as missing.
 */
public final class FaultLoad {
  private final Map<String, String> options;
  /** Where each acknowledged message was stored: queue@offset, as its SendResult said. */
  private final Map<Long, String> placed = new ConcurrentHashMap<>();
  private final Set<Long> acked = ConcurrentHashMap.newKeySet();
  private final Set<Long> consumed = ConcurrentHashMap.newKeySet();
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong deliveries = new AtomicLong();
  private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong longestGapNanos = new AtomicLong();
  private volatile String lastError = "";
  /** When the longest gap between two acknowledgements ended (System.nanoTime). */
  private volatile long longestGapEndNanos;

  private FaultLoad(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        System.err.println("FaultLoad: expected key=value, got '" + arg + "'");
        System.exit(2);
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int code;
    try {
      code = new FaultLoad(options).run();
    } catch (Throwable e) {
      e.printStackTrace();
      code = 3;
    }
    System.exit(code); // the client's threads are not daemons
  }

  private String text(String key, String fallback) {
    return options.getOrDefault(key, fallback);
  }

  private int number(String key, int fallback) {
    return Integer.parseInt(options.getOrDefault(key, Integer.toString(fallback)));
  }

  private int run() throws Exception {
    String address = text("address", "127.0.0.1:9876");
    String topic = text("topic", "ComposeFault");
    int seconds = number("seconds", 90);
    int rate = number("rate", 200);
    int threads = number("threads", 4);
    int waitSeconds = number("wait-s", 120);

    DefaultMQProducer producer = new DefaultMQProducer(text("producer-group", "ComposeFaultProducer"));
    producer.setNamesrvAddr(address);
    producer.setSendMsgTimeout(number("send-timeout-ms", 3000));
    producer.start();
    warmUp(producer, topic, number("warmup-s", 60));

    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(text("group", "ComposeFaultGroup"));
    consumer.setNamesrvAddr(address);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (MessageExt m : msgs) {
        consumed.add(Long.parseLong(m.getKeys()));
        deliveries.incrementAndGet();
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();

    long began = System.nanoTime();
    lastAckNanos.set(began); // the warm-up's wait is not a gap of the run
    longestGapNanos.set(0);
    long end = began + TimeUnit.SECONDS.toNanos(seconds);
    long periodNanos = TimeUnit.SECONDS.toNanos(1) * threads / Math.max(1, rate);
    Thread[] senders = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      senders[t] = new Thread(() -> send(producer, topic, end, periodNanos), "sender-" + t);
      senders[t].start();
    }
    boolean announced = false;
    long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (anyAlive(senders)) {
      if (!announced && !acked.isEmpty()) {
        System.out.println("SENDING");
        announced = true;
      }
      if (System.nanoTime() >= nextProgress) {
        progress(began);
        nextProgress += TimeUnit.SECONDS.toNanos(5);
      }
      Thread.sleep(100);
    }
    progress(began);

    long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (!consumed.containsAll(acked) && System.nanoTime() < waitEnd) {
      Thread.sleep(500);
    }
    Set<Long> missing = new TreeSet<>(acked);
    missing.removeAll(consumed);
    long drained = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);
    // The producer is shut down only now: its shutdown has been seen to fail the client's actor system ("The queue
    // has already been completed" from its Publish stream), which would stop the consumer of this JVM as well.
    producer.shutdown();
    consumer.shutdown();

    System.out.printf("RESULT sent=%d acked=%d failed=%d consumed-distinct=%d deliveries=%d redelivered=%d missing=%d"
            + " longest-ack-gap-ms=%d (ended at t=%ds) elapsed-s=%d%n",
        next.get(), acked.size(), failed.get(), consumed.size(), deliveries.get(), deliveries.get() - consumed.size(),
        missing.size(), TimeUnit.NANOSECONDS.toMillis(longestGapNanos.get()),
        TimeUnit.NANOSECONDS.toSeconds(Math.max(0, longestGapEndNanos - began)), drained);
    if (!missing.isEmpty()) {
      System.out.println("MISSING (first 20, as number=queue@offset): "
          + missing.stream().limit(20).map(n -> n + "=" + placed.get(n)).toList());
    }
    if (!lastError.isEmpty()) {
      System.out.println("last send error: " + lastError);
    }
    return missing.isEmpty() && !acked.isEmpty() ? 0 : 1;
  }

  /**
   * Sends numbered messages until one is acknowledged (the topic exists then, created on its first send), at most
   * {@code seconds}: a cold cluster's first sends may time out. Warm-up messages count like the others.
   */
  private void warmUp(DefaultMQProducer producer, String topic, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (acked.isEmpty()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("no send acknowledged within " + seconds + " s; last error: " + lastError);
      }
      send(producer, topic, 0, 0);
      if (acked.isEmpty()) {
        Thread.sleep(1000);
      }
    }
    System.out.println("warm-up: topic " + topic + " answers after " + next.get() + " send(s)");
  }

  private void send(DefaultMQProducer producer, String topic, long end, long periodNanos) {
    long due = System.nanoTime();
    boolean once = end == 0;
    while (once || System.nanoTime() < end) {
      long n = next.getAndIncrement();
      Message msg = new Message(topic, "TagF", Long.toString(n),
          ("compose fault message " + n).getBytes(StandardCharsets.UTF_8));
      try {
        SendResult r = producer.send(msg);
        if (r.getSendStatus() == SendStatus.SEND_OK) {
          acked.add(n);
          placed.put(n, r.getMessageQueue().getQueueId() + "@" + r.getQueueOffset());
          long now = System.nanoTime();
          long previous = lastAckNanos.getAndSet(now);
          if (longestGapNanos.accumulateAndGet(now - previous, Math::max) == now - previous) {
            longestGapEndNanos = now;
          }
        } else {
          failed.incrementAndGet();
          lastError = r.getSendStatus().toString();
        }
      } catch (Exception e) {
        failed.incrementAndGet();
        lastError = e.toString();
      }
      if (once) {
        return;
      }
      due += periodNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        due = System.nanoTime(); // behind (a pause): no burst to catch up
      }
    }
  }

  private void progress(long began) {
    System.out.printf("progress t=%ds sent=%d acked=%d failed=%d consumed=%d longest-ack-gap-ms=%d%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began), next.get(), acked.size(), failed.get(),
        consumed.size(), TimeUnit.NANOSECONDS.toMillis(longestGapNanos.get()));
  }

  private static boolean anyAlive(Thread[] threads) {
    for (Thread t : threads) {
      if (t.isAlive()) {
        return true;
      }
    }
    return false;
  }
}
