package dev.valley.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request body larger than {@code valley.api.max-request-size} (1 MB by default; a job spec is a few hundred
 * bytes) is a 413 before anything reads it: by its Content-Length when it has one, and after that many bytes when
 * it is chunked. A multipart upload may be up to {@code valley.api.max-upload-size}: one that says it is larger is a
 * 413 before its body is read (a client that sent {@code Expect: 100-continue}, as curl does for large bodies,
 * sends nothing more); a chunked one is cut off by the servlet container's multipart limit.
 */
@Configuration(proxyBeanMethods = false)
class BodySizeLimit {
    @Bean
    FilterRegistrationBean<OncePerRequestFilter> bodySizeFilter(ApiProperties limits) {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(
                new Filter(limits.maxRequestSize(), limits.maxUploadSize()));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    /**
     * Tomcat answers {@code Expect: 100-continue} at once by default, so a client starts sending even the upload this
     * filter is about to refuse, and breaks off with a broken pipe instead of reading the 413. On read, the 100
     * goes only to a request whose body something reads.
     */
    @Bean
    org.springframework.boot.tomcat.TomcatConnectorCustomizer continueOnlyWhenTheBodyIsRead() {
        return connector -> connector.setProperty("continueResponseTiming", "onRead");
    }

    /** Thrown by a chunked body's stream once it passed the limit; answered 413 by {@link ProblemDetailsAdvice}. */
    static final class TooLarge extends IOException {
        TooLarge(DataSize max) {
            super("the request body is larger than " + max.toKilobytes() + " KB (valley.api.max-request-size)");
        }
    }

    static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, detail);
        problem.setTitle("Request body too large");
        return problem;
    }

    private static final class Filter extends OncePerRequestFilter {
        private final DataSize max;
        private final DataSize maxUpload;

        Filter(DataSize max, DataSize maxUpload) {
            this.max = max;
            this.maxUpload = maxUpload;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String type = request.getContentType();
            if (type != null && type.startsWith(MediaType.MULTIPART_FORM_DATA_VALUE)) {
                if (request.getContentLengthLong() > maxUpload.toBytes()) {
                    refuse(request, response, "the upload is larger than the limit, valley.api.max-upload-size ("
                            + maxUpload.toMegabytes() + " MB); nothing was stored");
                    return;
                }
                chain.doFilter(request, response);
                return;
            }
            if (request.getContentLengthLong() > max.toBytes()) {
                refuse(request, response, new TooLarge(max).getMessage());
                return;
            }
            chain.doFilter(new Limited(request, max), response);
        }

        private static void refuse(HttpServletRequest request, HttpServletResponse response, String detail)
                throws IOException {
            // The body is not read: the connection cannot carry another request.
            response.setHeader("Connection", "close");
            ProblemDetail problem = problem(detail);
            Problems.instance(request, problem);
            Problems.write(response, problem);
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final DataSize max;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, DataSize max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        read += n;
                        if (read > max.toBytes()) {
                            throw new TooLarge(max);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
