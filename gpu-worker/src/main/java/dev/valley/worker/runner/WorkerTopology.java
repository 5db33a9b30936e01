package dev.valley.worker.runner;

import dev.valley.model.queue.Queues;
import dev.valley.worker.WorkerProperties;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.support.converter.JacksonJsonMessageConverter;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The worker's side of the topology: its pool's dispatch queue, the events and dead-letter queues, and a private
 * control queue. */
@Configuration(proxyBeanMethods = false)
class WorkerTopology {

    @Bean
    Declarables workerDeclarables(WorkerProperties worker) {
        DirectExchange jobs = new DirectExchange(Queues.DISPATCH_EXCHANGE);
        Queue pool = QueueBuilder.durable(Queues.dispatchQueue(worker.pool()))
                .deadLetterExchange(Queues.DEAD_LETTER_EXCHANGE)
                .withArguments(Queues.dispatchArguments()).build();
        // The events queue too (as the api-service declares it): a worker that starts first must not report into an
        // exchange that routes nowhere.
        DirectExchange events = new DirectExchange(Queues.EVENTS_EXCHANGE);
        Queue eventQueue = QueueBuilder.durable(worker.eventsQueue())
                .deadLetterExchange(Queues.DEAD_LETTER_EXCHANGE).build();
        FanoutExchange deadLetters = new FanoutExchange(Queues.DEAD_LETTER_EXCHANGE);
        Queue deadLetterQueue = QueueBuilder.durable(Queues.DEAD_LETTER_QUEUE).build();
        return new Declarables(jobs, pool, BindingBuilder.bind(pool).to(jobs).with(worker.pool()), events, eventQueue,
                BindingBuilder.bind(eventQueue).to(events).with(worker.eventsQueue()), deadLetters, deadLetterQueue,
                BindingBuilder.bind(deadLetterQueue).to(deadLetters));
    }

    @Bean
    AnonymousQueue controlQueue() {
        return new AnonymousQueue();
    }

    @Bean
    Declarables controlBinding(AnonymousQueue controlQueue) {
        FanoutExchange control = new FanoutExchange(Queues.CONTROL_EXCHANGE);
        return new Declarables(control, BindingBuilder.bind(controlQueue).to(control));
    }

    @Bean
    MessageConverter jsonMessageConverter() {
        return new JacksonJsonMessageConverter();
    }
}
