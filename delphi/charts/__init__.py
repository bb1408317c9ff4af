"""Agreement charts drawn with matplotlib from engine results; never touches models or pyplot."""
