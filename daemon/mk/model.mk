# The model (model/): typed store of cluster objects, decoders, indexes.
MODEL_SRCS := model/kind.c model/decode.c model/canon.c model/hmap.c \
              model/store.c model/decode_node.c model/decode_service.c \
              model/decode_endpointslice.c model/decode_pod.c \
              model/decode_namespace.c model/decode_networkpolicy.c \
              model/selector.c
MODEL_OBJS  = $(MODEL_SRCS:%.c=$(O)/%.o)
CJSON_LIBS  = $(shell $(PKG_CONFIG) --libs libcjson)

NPD_SRCS   += $(MODEL_SRCS)
TEST_NAMES += test_model test_model_decode

# Fixture JSON files are read from the source tree.
MODEL_FIXTURES := -DNP_FIXTURES='"$(abspath $(UNITDIR))/fixtures"'
$(O)/tests/test_model.o $(O)/tests/test_model_decode.o: CPPFLAGS += $(MODEL_FIXTURES)

$(O)/tests/test_model: $(O)/tests/test_model.o $(MODEL_OBJS) $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS)

$(O)/tests/test_model_decode: $(O)/tests/test_model_decode.o $(MODEL_OBJS) $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS)

# The subscriber list changed from callbacks: the test and the model built
# together with AddressSanitizer, so a read of a freed entry fails it.
TEST_NAMES += test_model_subs
MODEL_ASAN_SRCS := $(UNITDIR)/test_model_subs.c $(MODEL_SRCS) addr.c
$(O)/tests/test_model_subs: $(MODEL_ASAN_SRCS) $(wildcard model/*.h) addr.h
	@mkdir -p $(@D)
	$(CC) $(NP_CPPFLAGS) -I$(UNITDIR) $(CPPFLAGS) $(NP_CFLAGS) -O1 -g \
		-fsanitize=address -fno-omit-frame-pointer -o $@ \
		$(MODEL_ASAN_SRCS) $(CJSON_LIBS)

# The keyed hash (model/hmap.c), also used by the overlay's planner.
TEST_NAMES += test_hash
$(O)/tests/test_hash: $(O)/tests/test_hash.o $(O)/model/hmap.o
	$(CC) $(LDFLAGS) -o $@ $^
