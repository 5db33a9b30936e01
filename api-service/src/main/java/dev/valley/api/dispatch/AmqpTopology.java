package dev.valley.api.dispatch;

import dev.valley.model.queue.Queues;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.support.converter.JacksonJsonMessageConverter;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the api-service publishes to and consumes from; declaring is idempotent, so workers declare their side too. */
@Configuration(proxyBeanMethods = false)
class AmqpTopology {

    @Bean
    Declarables valleyTopology(DispatchProperties dispatch) {
        DirectExchange jobs = new DirectExchange(Queues.DISPATCH_EXCHANGE);
        List<Declarable> declarables = new ArrayList<>(List.of(jobs));
        for (String pool : dispatch.allPools()) {
            Queue queue = QueueBuilder.durable(Queues.dispatchQueue(pool))
                    .deadLetterExchange(Queues.DEAD_LETTER_EXCHANGE)
                    .withArguments(Queues.dispatchArguments()).build();
            declarables.add(queue);
            declarables.add(BindingBuilder.bind(queue).to(jobs).with(pool));
        }
        DirectExchange events = new DirectExchange(Queues.EVENTS_EXCHANGE);
        Queue eventQueue = QueueBuilder.durable(dispatch.eventsQueue())
                .deadLetterExchange(Queues.DEAD_LETTER_EXCHANGE).build();
        FanoutExchange deadLetters = new FanoutExchange(Queues.DEAD_LETTER_EXCHANGE);
        Queue deadLetterQueue = QueueBuilder.durable(Queues.DEAD_LETTER_QUEUE).build();
        declarables.addAll(List.of(events, eventQueue,
                BindingBuilder.bind(eventQueue).to(events).with(dispatch.eventsQueue()),
                deadLetters, deadLetterQueue, BindingBuilder.bind(deadLetterQueue).to(deadLetters),
                new FanoutExchange(Queues.CONTROL_EXCHANGE)));
        return new Declarables(declarables);
    }

    @Bean
    MessageConverter jsonMessageConverter() {
        return new JacksonJsonMessageConverter();
    }
}
