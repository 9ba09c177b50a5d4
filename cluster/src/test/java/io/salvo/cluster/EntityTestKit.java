package io.salvo.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;

/** An actor test kit for entity tests: the persistence test kit's in-memory journal, local provider, our bindings. */
public final class EntityTestKit {
  private EntityTestKit() {}

  public static ActorTestKit create() {
    return ActorTestKit.create(
        EventSourcedBehaviorTestKit.config()
            .withFallback(ConfigFactory.parseString("""
                akka.actor.provider = local
                akka.actor.serialization-bindings { "io.salvo.cluster.CborSerializable" = jackson-cbor }
                """))
            .withFallback(ConfigFactory.defaultReference()));
  }
}
