package io.salvo.cluster.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.salvo.cluster.EntityTestKit;
import io.salvo.persistence.events.TopicEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A topic grows but never shrinks, is deleted, and is created anew; every state survives a restart (replay). */
class TopicEntityTest {
  private static final ActorTestKit testKit = EntityTestKit.create();

  private EventSourcedBehaviorTestKit<TopicEntity.Command, TopicEvent, TopicEntity.State> topic;

  @BeforeEach
  void fresh() {
    topic = EventSourcedBehaviorTestKit.create(testKit.system(), TopicEntity.create("Orders"),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void growsButNeverShrinks() {
    topic.<TopicEntity.CreateReply>runCommand(replyTo -> new TopicEntity.Create(2, replyTo));
    TopicEntity.QueueCountReply grown = topic.<TopicEntity.QueueCountReply>runCommand(
        replyTo -> new TopicEntity.SetQueueCount(8, replyTo)).reply();
    assertEquals(8, assertInstanceOf(TopicEntity.QueueCountSetTo.class, grown).route().queueCount());
    TopicEntity.QueueCountReply shrink = topic.<TopicEntity.QueueCountReply>runCommand(
        replyTo -> new TopicEntity.SetQueueCount(4, replyTo)).reply();
    assertEquals(8, assertInstanceOf(TopicEntity.Shrink.class, shrink).queueCount());
    topic.restart();
    assertEquals(8, route().queueCount());
  }

  @Test
  void deletedTopicIsNotFoundAndCanBeCreatedAgain() {
    topic.<TopicEntity.CreateReply>runCommand(replyTo -> new TopicEntity.Create(4, replyTo));
    topic.<TopicEntity.RouteReply>runCommand(replyTo -> new TopicEntity.SetRetention(60_000, replyTo));
    TopicEntity.RouteReply was = topic.<TopicEntity.RouteReply>runCommand(
        replyTo -> new TopicEntity.Delete(replyTo)).reply();
    assertEquals(4, assertInstanceOf(TopicEntity.Route.class, was).queueCount());
    assertInstanceOf(TopicEntity.NotFound.class, getRoute());
    assertInstanceOf(TopicEntity.NotFound.class, topic.<TopicEntity.RouteReply>runCommand(
        replyTo -> new TopicEntity.Delete(replyTo)).reply());
    assertInstanceOf(TopicEntity.NotFound.class, topic.<TopicEntity.QueueCountReply>runCommand(
        replyTo -> new TopicEntity.SetQueueCount(8, replyTo)).reply());
    topic.restart();
    assertInstanceOf(TopicEntity.NotFound.class, getRoute());

    topic.<TopicEntity.CreateReply>runCommand(replyTo -> new TopicEntity.Create(2, replyTo));
    topic.restart();
    assertEquals(new TopicEntity.Route(2, route().createdAt(), 0), route()); // the old retention went with it
  }

  private TopicEntity.RouteReply getRoute() {
    return topic.<TopicEntity.RouteReply>runCommand(replyTo -> new TopicEntity.GetRoute(0, replyTo)).reply();
  }

  private TopicEntity.Route route() {
    return assertInstanceOf(TopicEntity.Route.class, getRoute());
  }
}
