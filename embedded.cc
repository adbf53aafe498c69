// Anchor so every library has at least one translation unit.
#include "embedded.h"
