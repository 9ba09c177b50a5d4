package io.salvo.tests.transaction;

import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.LocalTransactionState;
import io.salvo.client.producer.TransactionListener;
import io.salvo.client.producer.TransactionMQProducer;
import io.salvo.client.producer.TransactionSendResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * A transactional producer in its own JVM, for the test that kills one: {@code address group topic from to}. Sends
 * transactions {@code from} until {@code to} (bodies by {@link #body}); its local transactions commit or roll back as
 * the body says, except "unknown-*" ones, which stay UNKNOW; it answers every check of the broker UNKNOW (it has
 * lost track). Prints {@code SENT <i> <transactionId> <state> <timeMillis>} per transaction, {@code CHECKED <id>} per
 * check, then {@code DONE}, and runs until killed.
 */
public final class TransactionProducerProcess {
  /** Threads sending transactions at once. */
  static final int THREADS = 8;
  private TransactionProducerProcess() {}

  /** The body of transaction {@code i}: its fate is in it. A third commit, a third roll back, a third stay unknown. */
  static String body(int i) {
    return switch (i % 3) {
      case 0 -> "tx-" + i + "-commit";
      case 1 -> "tx-" + i + "-rollback";
      default -> "tx-" + i + ((i / 3) % 2 == 0 ? "-unknown-commit" : "-unknown-rollback");
    };
  }

  /** What a producer that knows the outcome answers for a body. */
  static LocalTransactionState outcome(String body) {
    return body.endsWith("commit") ? LocalTransactionState.COMMIT_MESSAGE : LocalTransactionState.ROLLBACK_MESSAGE;
  }

  /** What the local transaction answers at first: unknown ones stay open. */
  static LocalTransactionState executed(String body) {
    return body.contains("-unknown-") ? LocalTransactionState.UNKNOW : outcome(body);
  }

  static int index(String body) {
    return Integer.parseInt(body.split("-")[1]);
  }

  public static void main(String[] args) throws Exception {
    TransactionMQProducer producer = new TransactionMQProducer(args[1]);
    producer.setNamesrvAddr(args[0]);
    producer.setSendMsgTimeout(10_000);
    producer.setTransactionListener(new TransactionListener() {
      @Override
      public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        return executed(new String(msg.getBody(), StandardCharsets.UTF_8));
      }

      @Override
      public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        print("CHECKED " + msg.getTransactionId());
        return LocalTransactionState.UNKNOW;
      }
    });
    producer.start();
    int from = Integer.parseInt(args[3]);
    int to = Integer.parseInt(args[4]);
    sendAll(producer, args[2], from, to, (i, sent) -> print("SENT " + i + " " + sent.getTransactionId() + " "
        + sent.getLocalTransactionState() + " " + System.currentTimeMillis()));
    print("DONE");
    Thread.currentThread().join();
  }

  /** Sends transactions {@code from} until {@code to} to {@code topic} from {@value #THREADS} threads; throws the first failure. */
  static void sendAll(TransactionMQProducer producer, String topic, int from, int to,
      BiConsumer<Integer, TransactionSendResult> onSent) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> sends = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        sends.add(senders.submit(() -> {
          for (int i = from + thread; i < to; i += THREADS) {
            Message msg = new Message(topic, "Tx", body(i).getBytes(StandardCharsets.UTF_8));
            onSent.accept(i, producer.sendMessageInTransaction(msg, null));
          }
          return null;
        }));
      }
      for (Future<?> f : sends) {
        f.get();
      }
    } finally {
      senders.shutdown();
    }
  }

  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}
