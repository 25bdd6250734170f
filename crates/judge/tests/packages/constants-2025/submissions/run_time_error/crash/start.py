import helper

helper.explode()
