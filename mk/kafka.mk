# The real Apache Kafka 3.9 broker (KRaft) from Maven Central jars: fetched once into the cache, run with Java 17.
KAFKA_LIBS := $(CACHE_DIR)/kafka/libs
KAFKA_STAMP := $(KAFKA_LIBS)/.fetched
KAFKA_POM := mk/kafka/pom.xml
KAFKA_PORT ?= 9092

TEST_DEPS += kafka-jars

.PHONY: kafka-jars kafka

$(KAFKA_STAMP): $(KAFKA_POM)
	@command -v mvn >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends maven; }
	rm -rf $(KAFKA_LIBS)
	mvn -B -q -f $(KAFKA_POM) -Dmaven.repo.local=$(CACHE_DIR)/kafka/m2 dependency:copy-dependencies \
		-DincludeScope=runtime -DoutputDirectory=$(KAFKA_LIBS)
	touch $@

kafka-jars: $(KAFKA_STAMP) ## Fetch the Kafka 3.9 broker jars + dependencies into .cache/kafka/libs (once)

kafka: install kafka-jars ## Run a single-node KRaft broker on 127.0.0.1:$(KAFKA_PORT) in the foreground
	CACHE_DIR=$(CACHE_DIR) $(PY) -m postguard.devtools.kafka_broker --port $(KAFKA_PORT)
