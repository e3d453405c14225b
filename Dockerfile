# TuneTrace server image: built with the Maven wrapper in a JDK stage, run on a JRE with ffmpeg
# (for formats the core does not decode in Java) and curl (for the health check). The server runs
# from its own fat jar (tunetrace-server-*-all.jar); the CLI's jar does not carry it.
#   docker build -t tunetrace-server:0.1.0 .
#   docker run -p 8080:8080 --env-file .env tunetrace-server:0.1.0
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY tunetrace-core/pom.xml tunetrace-core/pom.xml
COPY tunetrace-client/pom.xml tunetrace-client/pom.xml
COPY tunetrace-server/pom.xml tunetrace-server/pom.xml
COPY tunetrace-cli/pom.xml tunetrace-cli/pom.xml
COPY tunetrace-core/src/ tunetrace-core/src/
COPY tunetrace-client/src/ tunetrace-client/src/
COPY tunetrace-cli/src/ tunetrace-cli/src/
COPY tunetrace-server/src/ tunetrace-server/src/
RUN ./mvnw -B -q -pl tunetrace-server -am package -DskipTests \
 && mkdir -p /out \
 && cp tunetrace-server/target/tunetrace-server-*-all.jar /out/tunetrace-server.jar

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin tunetrace
WORKDIR /app
COPY --from=build /out/ /app/
RUN mkdir -p /app/data && chown tunetrace /app/data
USER tunetrace
ENV PORT=8080 HOST=0.0.0.0 DATA_DIR=/app/data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --retries=12 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/tunetrace-server.jar"]
