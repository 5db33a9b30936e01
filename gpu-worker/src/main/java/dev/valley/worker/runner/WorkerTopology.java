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

/** The worker's side of the topology: its pool's dispatch queue, the events exchange, and a private control queue. */
@Configuration(proxyBeanMethods = false)
class WorkerTopology {

    @Bean
    Declarables workerDeclarables(WorkerProperties worker) {
        DirectExchange jobs = new DirectExchange(Queues.DISPATCH_EXCHANGE);
        Queue pool = QueueBuilder.durable(Queues.dispatchQueue(worker.pool()))
                .deadLetterExchange(Queues.DEAD_LETTER_EXCHANGE).build();
        return new Declarables(jobs, pool, BindingBuilder.bind(pool).to(jobs).with(worker.pool()),
                new DirectExchange(Queues.EVENTS_EXCHANGE), new FanoutExchange(Queues.DEAD_LETTER_EXCHANGE));
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
