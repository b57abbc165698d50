# Model training workflows (issue 4). Not part of `make test`: CI uses the committed models.
# Rebuild with the datasets in TRAINING_DATA (default ../shared/datasets):  make train-models
TRAINING_DATA ?= $(abspath ../shared/datasets)
SPACY_TRAIN = $(PY) -m spacy train training/$(1)/config.cfg --output training/$(1)/output \
	--paths.train training/$(1)/corpus/train.spacy --paths.dev training/$(1)/corpus/dev.spacy --nlp.batch_size 256 $(2)

.PHONY: ner-corpus train-ner textcat-corpus content-train-data train-advice train-advice-cv train-models eval-models \
	eval-models-e2e

ner-corpus: install ## Convert BTC + WNUT17 + presidio + clinical and staff-post templates into NER train/dev/test DocBins
	$(PY) -m training.ner.convert --data $(TRAINING_DATA)

train-ner: ner-corpus ## Train, package and calibrate the identifier NER (services/postguard/models/ner)
	$(call SPACY_TRAIN,ner,--code services/postguard/domain/ner_tagging.py)
	$(PY) -m training.ner.package
	$(PY) -m training.ner.evaluate --calibrate --write

textcat-corpus: install ## Build the public PERSONAL_ADVICE / UNPROFESSIONAL DocBins (contrast splits; --public N)
	$(PY) -m training.textcat.convert --data $(TRAINING_DATA)

content-train-data: install ## Build data/train/*.jsonl from the hand-written training posts (data/train/*.txt)
	$(PY) data/train/build_train.py

train-advice-cv: content-train-data ## Cross-validate the content classifier on in-genre posts (out-of-fold tables, no write)
	$(PY) -m training.textcat.train_content --errors 20

train-advice: content-train-data ## Train, cross-validate, calibrate and ship the 8-label content classifier (models/textcat)
	$(PY) -m training.textcat.train_content --write

train-models: train-ner train-advice ## Rebuild both shipped models from the datasets

eval-models: install ## Per-model, per-label P/R/F1 on our dev/test splits (committed metrics if no data)
	@if [ -d "$(TRAINING_DATA)" ]; then \
		[ -f training/ner/corpus/dev.spacy ] || $(PY) -m training.ner.convert --data $(TRAINING_DATA); \
		[ -f training/textcat/corpus/dev.spacy ] || $(PY) -m training.textcat.convert --data $(TRAINING_DATA); \
	fi
	$(PY) -m training.ner.evaluate
	$(PY) -m training.textcat.evaluate

eval-models-e2e: install ## End-to-end gold-set eval with and without the models
	$(VENV)/bin/postguard eval data/gold/posts.jsonl
	$(VENV)/bin/postguard eval data/gold/posts.jsonl --no-models

eval: eval-models
